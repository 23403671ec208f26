/**
 * Prometheus metrics, one registry per Keel instance (tests run several side by side). Gauges
 * that mirror the database are computed when /metrics is scraped, not kept in sync by hand.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface KeelMetrics {
  registry: Registry;
  deliveriesReceived: Counter<'event' | 'outcome'>;
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
      help: 'Webhook deliveries answered by the receiver, by event and outcome (accepted, duplicate, ignored, rejected).',
      labelNames: ['event', 'outcome'],
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
