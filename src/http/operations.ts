/** GET /healthz (the process answers), /readyz (it can do its job), /metrics (Prometheus text). */
import { createHash, timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import type { Logger } from 'pino';
import type { KeelMetrics } from '../metrics.js';
import type { Store } from '../store/database.js';
import { checkRedis, checkStore, type Check } from './readiness.js';

export interface OperationsOptions {
  store: Store;
  log: Logger;
  /** The GitHub check (see createGitHubCheck). */
  checkGitHub: () => Promise<Check>;
  redisUrl?: string | undefined;
}

export function operationsRoutes({ store, log, checkGitHub, redisUrl }: OperationsOptions) {
  const routes = new Hono();
  routes.get('/healthz', (c) => c.json({ status: 'ok' }));
  routes.get('/readyz', async (c) => {
    const groups = await Promise.all([
      checkStore(store, log),
      checkGitHub().then((check) => [check]),
      redisUrl ? checkRedis(redisUrl, log).then((check) => [check]) : [],
    ]);
    const checks = groups.flat();
    const ready = checks.every((check) => check.ok);
    return c.json({ status: ready ? 'ready' : 'not ready', checks }, ready ? 200 : 503);
  });
  return routes;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

export interface MetricsRouteOptions {
  metrics: KeelMetrics;
  /** KEEL_METRICS_TOKEN: scrapers send `Authorization: Bearer <token>`. */
  token: string | undefined;
  /** True on the listener of KEEL_METRICS_PORT, which is open without a token. */
  ownListener?: boolean;
}

/**
 * GET /metrics: with a bearer token, or on a listener of its own. Series name installations,
 * so on the main port, without a token, it answers 401 and says how to turn it on.
 */
export function metricsRoute({ metrics, token, ownListener = false }: MetricsRouteOptions) {
  const routes = new Hono();
  const expected = token ? digest(token) : undefined;
  routes.get('/metrics', async (c) => {
    if (!expected && !ownListener) {
      return c.json(
        {
          error: 'Metrics are off on this port.',
          remedy: 'Set KEEL_METRICS_TOKEN (scrape with Authorization: Bearer) or KEEL_METRICS_PORT, and restart Keel.',
        },
        401,
      );
    }
    if (expected) {
      const match = /^Bearer\s+(.+)$/i.exec(c.req.header('authorization') ?? '');
      if (!match?.[1] || !timingSafeEqual(digest(match[1].trim()), expected)) {
        c.header('WWW-Authenticate', 'Bearer realm="keel-metrics"');
        return c.json(
          { error: 'Missing or wrong bearer token.', remedy: 'Send Authorization: Bearer $KEEL_METRICS_TOKEN.' },
          401,
        );
      }
    }
    const body = await metrics.registry.metrics();
    return c.body(body, 200, { 'content-type': metrics.registry.contentType });
  });
  return routes;
}
