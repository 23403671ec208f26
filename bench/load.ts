/**
 * The load generator, run as its own process so it does not share a core's event loop with the
 * server it measures. Posts signed deliveries (the same signed body, a fresh X-GitHub-Delivery
 * id per request) with autocannon and prints autocannon's result as JSON.
 * Usage: node --import tsx bench/load.ts <url> <connections> <seconds> [overallRate]
 */
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import { signDelivery } from '../src/cli/payloads.js';
import { findExamplePayloads } from '../src/cli/payloads.js';

const [url = '', connections = '50', seconds = '10', rate] = process.argv.slice(2);
const secret = process.env.BENCH_WEBHOOK_SECRET ?? 'bench-secret';
const delivery = signDelivery(secret, 'pull_request', findExamplePayloads('pull_request', 'opened')[0]);

const result = await autocannon({
  url,
  method: 'POST',
  connections: Number(connections),
  duration: Number(seconds),
  ...(rate ? { overallRate: Number(rate) } : {}),
  headers: delivery.headers,
  body: delivery.body,
  requests: [
    {
      setupRequest: (request) => ({ ...request, headers: { ...request.headers, 'x-github-delivery': randomUUID() } }),
    },
  ],
});
process.stdout.write(
  JSON.stringify({
    requests: result.requests.total,
    perSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    statusCodes: result.statusCodeStats,
  }),
);
