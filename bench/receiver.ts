/**
 * Keel's receiver (signature check + durable insert + 202, with the inbox workers running) next
 * to a bare Probot `createNodeMiddleware` with a no-op handler, under the same load from a second
 * process. Reports deliveries acknowledged per second, p50/p99 latency, the throughput ratio, and
 * p99 at a fixed 200 deliveries/s. Machine load swings absolute rates twofold here, so the
 * servers take turns over several rounds and the median ratio is reported. Run alone with
 * `node --import tsx bench/receiver.ts`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { createNodeMiddleware, Probot } from 'probot';
import { loadConfig } from '../src/config.js';
import { countDeliveriesByStatus } from '../src/inbox/deliveries.js';
import { createKeel } from '../src/keel.js';
import { findExamplePayloads } from '../src/cli/payloads.js';
import { testPrivateKey } from '../fixtures/index.js';

const SECRET = 'bench-secret';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = 50;
const run = promisify(execFile);

interface LoadResult {
  requests: number;
  perSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

/** Paced runs use fewer connections: autocannon's pacing over 50 connections is bursty. */
const PACED_CONNECTIONS = 10;

async function load(url: string, rate?: number): Promise<LoadResult> {
  const args = [
    '--import',
    'tsx',
    'bench/load.ts',
    url,
    String(rate ? PACED_CONNECTIONS : CONNECTIONS),
    String(SECONDS),
    ...(rate ? [String(rate)] : []),
  ];
  const { stdout } = await run(process.execPath, args, {
    env: { ...process.env, BENCH_WEBHOOK_SECRET: SECRET },
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout) as LoadResult;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function benchBareProbot(rate?: number): Promise<LoadResult> {
  const probot = new Probot({ appId: 1, privateKey: testPrivateKey(), secret: SECRET, log: pino({ level: 'silent' }) });
  const middleware = await createNodeMiddleware(() => undefined, { probot });
  probot.onAny(async () => undefined);
  const server = createServer((req, res) => void middleware(req, res));
  const url = await listen(server);
  try {
    return await load(`${url}/api/github/webhooks`, rate);
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

/** `workers: false` is a receive-only process, as when workers run in processes of their own. */
async function benchKeel({ rate, workers = true }: { rate?: number; workers?: boolean } = {}): Promise<
  LoadResult & { stored: number; processedDuringLoad: number; drainMs: number }
> {
  const directory = mkdtempSync(join(tmpdir(), 'keel-bench-'));
  const config = loadConfig({
    APP_ID: '1',
    PRIVATE_KEY: testPrivateKey(),
    WEBHOOK_SECRET: SECRET,
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: process.env.BENCH_DATABASE_URL ?? `file:${join(directory, 'keel.db')}`,
    KEEL_WORKER_CONCURRENCY: workers ? '4' : '0',
  });
  const keel = await createKeel({ config, log: pino({ level: 'silent' }) });
  const url = await keel.listen();
  try {
    const result = await load(`${url}${config.webhookPath}`, rate);
    const counts = await countDeliveriesByStatus(keel.store);
    const stored = [...counts.values()].reduce((sum, count) => sum + count, 0);
    // Acknowledging faster than the workers keep up would only build a backlog: say how much.
    const drainStart = performance.now();
    if (workers) await keel.worker.idle();
    const drainMs = performance.now() - drainStart;
    return { ...result, stored, processedDuringLoad: counts.get('processed') ?? 0, drainMs };
  } finally {
    await keel.stop(1_000);
    rmSync(directory, { recursive: true, force: true });
  }
}

const format = (value: number) => Math.round(value).toLocaleString('en-US');

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export async function benchReceiver(): Promise<{ name: string; lines: string[] }> {
  const size = JSON.stringify(findExamplePayloads('pull_request', 'opened')[0]).length;
  const describe = (result: LoadResult) =>
    `${format(result.perSecond)}/s, p50 ${result.p50} ms, p99 ${result.p99} ms, non-2xx ${result.non2xx}`;
  const stored = (result: { stored: number; requests: number }) =>
    `stored ${format(result.stored)} of ${format(result.requests)} answered`;
  const processed = (result: { processedDuringLoad: number; drainMs: number }) =>
    `processed ${format(result.processedDuringLoad)} during the load, the rest within ${format(result.drainMs)} ms`;
  const lines = [
    `load: ${CONNECTIONS} connections for ${SECONDS} s from a second process, pull_request.opened (${format(size)} bytes), fresh delivery id per request; ${ROUNDS} rounds, each running the three servers one after the other, so each ratio compares runs seconds apart`,
  ];
  const receiveOnlyRatios: number[] = [];
  const allInOneRatios: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const probot = await benchBareProbot();
    const receiveOnly = await benchKeel({ workers: false });
    const allInOne = await benchKeel();
    receiveOnlyRatios.push(receiveOnly.perSecond / probot.perSecond);
    allInOneRatios.push(allInOne.perSecond / probot.perSecond);
    lines.push(
      `round ${round}: bare Probot createNodeMiddleware (no-op handler) ${describe(probot)}`,
      `  Keel receive-only (no workers in the process) ${describe(receiveOnly)}, ${stored(receiveOnly)}: ${(receiveOnlyRatios.at(-1) as number).toFixed(2)}x`,
      `  Keel all in one process (4 workers dispatching) ${describe(allInOne)}, ${stored(allInOne)}, ${processed(allInOne)}: ${(allInOneRatios.at(-1) as number).toFixed(2)}x`,
    );
  }
  const range = (ratios: number[]) =>
    `${median(ratios).toFixed(2)}x (${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)})`;
  lines.push(
    `median ratio Keel / Probot: all-in-one ${range(allInOneRatios)}, receive-only ${range(receiveOnlyRatios)} (target ≥ 0.80x)`,
  );
  const probotPaced = await benchBareProbot(200);
  const keelPaced = await benchKeel({ rate: 200 });
  lines.push(
    `paced at 200 deliveries/s over ${PACED_CONNECTIONS} connections: Probot p50 ${probotPaced.p50} ms, p99 ${probotPaced.p99} ms; Keel all-in-one p50 ${keelPaced.p50} ms, p99 ${keelPaced.p99} ms (target p99 < 50 ms), ${stored(keelPaced)}`,
  );
  return { name: 'receiver', lines };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { name, lines } = await benchReceiver();
  console.log(name);
  for (const line of lines) console.log(`  ${line}`);
}
