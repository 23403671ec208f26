/**
 * Prometheus metrics, one registry per Keel instance (tests run several side by side). Gauges
 * that mirror the database are computed when /metrics is scraped, not kept in sync by hand.
 */
import { emitterEventNames } from '@octokit/webhooks';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Why a webhook request ended before its signature was verified (bounded: one series each). */
export type RefusalReason =
  'too-large' | 'missing-headers' | 'bad-delivery-id' | 'bad-signature' | 'busy' | 'timeout' | 'aborted';

const GITHUB_EVENTS = new Set(emitterEventNames.map((name) => name.split('.')[0]));

/** The event label of a delivery: GitHub's event names, and `other` for any name GitHub does not document. */
export function labelEvent(event: string): string {
  return GITHUB_EVENTS.has(event) ? event : 'other';
}

export interface KeelMetrics {
  registry: Registry;
  /** Signed deliveries only: nobody without the webhook secret can add a series. */
  deliveriesReceived: Counter<'event' | 'outcome'>;
  webhookRequestsRefused: Counter<'reason'>;
  deliveriesProcessed: Counter<'event' | 'outcome'>;
  processingSeconds: Histogram<'event'>;
  githubRequests: Counter<'method' | 'status'>;
  rateLimitRemaining: Gauge<'installation'>;
  /** Registers a function that fills gauges from the store at scrape time. */
  collectOnScrape(collect: () => Promise<void>): void;
  inboxDepth: Gauge<'status'>;
  installationsByState: Gauge<'state'>;
}

export function createMetrics(): KeelMetrics {
  const registry = new Registry();
  const collectors: (() => Promise<void>)[] = [];
  // prom-client reads every metric at once: each store-backed gauge awaits the same collection.
  let collecting: Promise<void> | undefined;
  const collectAll = (): Promise<void> =>
    (collecting ??= (async () => {
      for (const collect of collectors) await collect();
    })().finally(() => (collecting = undefined)));
  const metrics: KeelMetrics = {
    registry,
    deliveriesReceived: new Counter({
      name: 'keel_deliveries_received_total',
      help: 'Signed webhook deliveries answered by the receiver, by event (other for names GitHub does not send) and outcome (accepted, declined: nothing to run, duplicate, ignored: not subscribed, rejected, unavailable).',
      labelNames: ['event', 'outcome'],
      registers: [registry],
    }),
    webhookRequestsRefused: new Counter({
      name: 'keel_webhook_requests_refused_total',
      help: 'Webhook requests that ended before their signature was verified, by reason (too-large, missing-headers, bad-delivery-id, bad-signature, busy, timeout, aborted).',
      labelNames: ['reason'],
      registers: [registry],
    }),
    deliveriesProcessed: new Counter({
      name: 'keel_deliveries_processed_total',
      help: 'Delivery processing attempts by event and outcome (processed, failed, dead).',
      labelNames: ['event', 'outcome'],
      registers: [registry],
    }),
    processingSeconds: new Histogram({
      name: 'keel_delivery_processing_seconds',
      help: 'Time from claim to completion of a delivery, by event.',
      labelNames: ['event'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    githubRequests: new Counter({
      name: 'keel_github_requests_total',
      help: 'Requests Keel made to GitHub, by method and response status.',
      labelNames: ['method', 'status'],
      registers: [registry],
    }),
    rateLimitRemaining: new Gauge({
      name: 'keel_github_rate_limit_remaining',
      help: 'x-ratelimit-remaining from the latest GitHub response, by installation (app for app-level calls).',
      labelNames: ['installation'],
      registers: [registry],
    }),
    inboxDepth: new Gauge({
      name: 'keel_inbox_depth',
      help: 'Deliveries in the inbox by status.',
      labelNames: ['status'],
      registers: [registry],
      collect: collectAll,
    }),
    installationsByState: new Gauge({
      name: 'keel_installations',
      help: 'Installations by connection state.',
      labelNames: ['state'],
      registers: [registry],
      collect: collectAll,
    }),
    collectOnScrape(collect) {
      collectors.push(collect);
    },
  };
  return metrics;
}
