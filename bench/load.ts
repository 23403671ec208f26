/**
 * The load generator, run as its own process so it does not share a core's event loop with the
 * server it measures. Posts signed deliveries (the same signed body, a fresh X-GitHub-Delivery
 * id per request) with autocannon and prints autocannon's result as JSON.
 * Usage: node --import tsx bench/load.ts <url> --connections 50 --seconds 6
 *          [--event pull_request.opened] [--example 0] [--rate <deliveries per second>]
 * The payload is example number `--example` of that event and action in @octokit/webhooks-examples.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { findExamplePayloads, signDelivery } from '../src/cli/payloads.js';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    connections: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '10' },
    event: { type: 'string', default: 'pull_request.opened' },
    example: { type: 'string', default: '0' },
    rate: { type: 'string' },
  },
});
const [url = ''] = positionals;
const secret = process.env.BENCH_WEBHOOK_SECRET ?? 'bench-secret';
const [event = '', action] = values.event.split('.');
const payload = findExamplePayloads(event, action)[Number(values.example)];
if (!payload) throw new Error(`No example ${values.example} of ${values.event} in @octokit/webhooks-examples.`);
const delivery = signDelivery(secret, event, payload);

const result = await autocannon({
  url,
  method: 'POST',
  connections: Number(values.connections),
  duration: Number(values.seconds),
  ...(values.rate ? { overallRate: Number(values.rate) } : {}),
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
