/**
 * The load generator, run as its own process so it does not share a core's event loop with the
 * server it measures. Posts signed deliveries (a fresh X-GitHub-Delivery id per request) with
 * autocannon and prints autocannon's result as JSON. By default every request carries the same
 * signed body; with `--issues <n>` each names one of n issues in turn (`issue.number`, then the
 * body signed again), as real traffic spreads over many issues and pull requests.
 * Usage: node --import tsx bench/load.ts <url> --connections 50 --seconds 6
 *          [--event pull_request.opened] [--example 0] [--rate <deliveries per second>] [--issues <n>]
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
    issues: { type: 'string' },
  },
});
const [url = ''] = positionals;
const secret = process.env.BENCH_WEBHOOK_SECRET ?? 'bench-secret';
const [event = '', action] = values.event.split('.');
const payload = findExamplePayloads(event, action)[Number(values.example)];
if (!payload) throw new Error(`No example ${values.example} of ${values.event} in @octokit/webhooks-examples.`);
const delivery = signDelivery(secret, event, payload);
const issues = Number(values.issues ?? 0);
if (issues > 0 && !(payload.issue && typeof payload.issue === 'object')) {
  throw new Error(`--issues needs an event whose payload names an issue; ${values.event} does not.`);
}
let sent = 0;

/** The next request's body and headers: the same delivery, or the same one about the next issue. */
function nextDelivery(): { body: string; headers: Record<string, string> } {
  const id = randomUUID();
  if (issues === 0) return { body: delivery.body, headers: { ...delivery.headers, 'x-github-delivery': id } };
  const issue = { ...(payload?.issue as object), number: 1 + (sent++ % issues) };
  const { body, headers } = signDelivery(secret, event, { ...payload, issue }, id);
  return { body, headers };
}

const result = await autocannon({
  url,
  method: 'POST',
  connections: Number(values.connections),
  duration: Number(values.seconds),
  ...(values.rate ? { overallRate: Number(values.rate) } : {}),
  headers: delivery.headers,
  body: delivery.body,
  requests: [{ setupRequest: (request) => ({ ...request, ...nextDelivery() }) }],
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
