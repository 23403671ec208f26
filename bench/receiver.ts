/**
 * Keel's receiver (signature check + durable insert + 202, with the inbox workers and the
 * capability that handles the event running in the same process) next to a bare Probot
 * `createNodeMiddleware` with a comparable handler, under the same load from a second process.
 * Three shapes: a subscribed `issue_comment.created` whose comment is not a command, over 10
 * connections, spread over a thousand issues as real traffic is (`comment`); an event neither
 * subscribes to, the same way (`unsubscribed`); and a 21 kB `pull_request.opened` over 50
 * connections that Keel stores and then runs through its worker (`pull`). Reports deliveries
 * acknowledged per second, p50/p99 latency, server CPU per delivery (`process.cpuUsage` of this
 * process, which runs only the server while the load runs), the throughput ratio, and p99 at a
 * fixed 200 deliveries/s. Machine load swings absolute rates twofold here, so the servers take
 * turns over several rounds and the median ratio is reported.
 * Run alone with `node --import tsx bench/receiver.ts` (BENCH_SHAPES=comment,pull to pick shapes).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { createNodeMiddleware, Probot } from 'probot';
import { commandsPlugin } from '../src/commands/plugin.js';
import { parseCommands } from '../src/commands/parse.js';
import { loadConfig } from '../src/config.js';
import { countDeliveriesByStatus } from '../src/inbox/deliveries.js';
import { createKeel } from '../src/keel.js';
import { prChecksPlugin } from '../src/pr-checks/plugin.js';
import { findExamplePayloads } from '../src/cli/payloads.js';
import { testPrivateKey } from '../fixtures/index.js';

const SECRET = 'bench-secret';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const run = promisify(execFile);

interface Shape {
  id: string;
  /** `event.action`, and which of @octokit/webhooks-examples' payloads for it. */
  event: string;
  example: number;
  connections: number;
  /** Each delivery names one of this many issues in turn (0: the example's issue every time). */
  issues: number;
  describe: string;
  /** Also measure Keel with no workers in the process (workers in processes of their own). */
  receiveOnly: boolean;
  /** The bare Probot's handler, doing what Keel's handler does with this payload. */
  probotApp: (probot: Probot) => void;
}

/** Probot's handler for the comment shapes: it parses the comment, finds no command, and returns. */
const parseComment = (probot: Probot) =>
  probot.on('issue_comment.created', ({ payload }) => void parseCommands(payload.comment.body));

const SHAPES: Shape[] = [
  {
    id: 'comment',
    event: 'issue_comment.created',
    // The example that names an installation, as every delivery to an app does. Its comment holds
    // no command, as most comments do: Keel's commands handler declines it at the receiver, which
    // records the delivery as processed (without its body) and runs nothing.
    example: 3,
    connections: 10,
    issues: 1_000,
    describe:
      'subscribed, a comment without a command over a thousand issues in turn, each body signed anew; Keel records it without running a handler, Probot runs a handler that parses the comment',
    receiveOnly: false,
    probotApp: parseComment,
  },
  {
    id: 'unsubscribed',
    event: 'issues.opened',
    example: 0,
    connections: 10,
    issues: 1_000,
    describe:
      'an event neither subscribes to, over a thousand issues in turn; Keel records it as ignored, Probot finds no handler',
    receiveOnly: false,
    probotApp: parseComment,
  },
  {
    id: 'pull',
    event: 'pull_request.opened',
    // No installation in it: Keel's pr-checks handler returns at once, like Probot's no-op.
    example: 0,
    connections: 50,
    issues: 0,
    describe:
      'subscribed and run: Keel stores it, then its worker runs the pr-checks handler (no installation: it returns); one pull request, so Keel runs them one at a time, in order; Probot runs a no-op handler',
    receiveOnly: true,
    probotApp: (probot) => probot.onAny(async () => undefined),
  },
];

interface LoadResult {
  requests: number;
  perSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  /** Server CPU (user + system) per request answered, in µs. */
  cpuMicros: number;
}

/** Paced runs use 10 connections: autocannon's pacing over 50 connections is bursty. */
const PACED_CONNECTIONS = 10;

async function load(url: string, shape: Shape, rate?: number): Promise<LoadResult> {
  const args = ['--import', 'tsx', 'bench/load.ts', url, '--seconds', String(SECONDS), '--event', shape.event];
  args.push('--example', String(shape.example), '--connections', String(rate ? PACED_CONNECTIONS : shape.connections));
  if (rate) args.push('--rate', String(rate));
  if (shape.issues > 0) args.push('--issues', String(shape.issues));
  const cpuBefore = process.cpuUsage();
  const { stdout } = await run(process.execPath, args, {
    env: { ...process.env, BENCH_WEBHOOK_SECRET: SECRET },
    maxBuffer: 1 << 20,
  });
  const cpu = process.cpuUsage(cpuBefore);
  const result = JSON.parse(stdout) as Omit<LoadResult, 'cpuMicros'>;
  return { ...result, cpuMicros: (cpu.user + cpu.system) / Math.max(1, result.requests) };
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function benchBareProbot(shape: Shape, rate?: number): Promise<LoadResult> {
  const probot = new Probot({ appId: 1, privateKey: testPrivateKey(), secret: SECRET, log: pino({ level: 'silent' }) });
  const middleware = await createNodeMiddleware(shape.probotApp, { probot });
  const server = createServer((req, res) => void middleware(req, res));
  const url = await listen(server);
  try {
    return await load(`${url}/api/github/webhooks`, shape, rate);
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

type KeelResult = LoadResult & { stored: number; processedDuringLoad: number; drainMs: number };

/** `workers: false` is a receive-only process, as when workers run in processes of their own. */
async function benchKeel(shape: Shape, { rate, workers = true }: { rate?: number; workers?: boolean } = {}) {
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
  const keel = await createKeel({
    config,
    log: pino({ level: 'silent' }),
    plugins: [prChecksPlugin(), commandsPlugin()],
  });
  const url = await keel.listen();
  try {
    const result = await load(`${url}${config.webhookPath}`, shape, rate);
    const counts = await countDeliveriesByStatus(keel.store);
    const stored = [...counts.values()].reduce((sum, count) => sum + count, 0);
    // Acknowledging faster than the workers keep up would only build a backlog: say how much.
    const drainStart = performance.now();
    if (workers) await keel.worker.idle();
    const drainMs = performance.now() - drainStart;
    return { ...result, stored, processedDuringLoad: counts.get('processed') ?? 0, drainMs } satisfies KeelResult;
  } finally {
    await keel.stop(1_000);
    rmSync(directory, { recursive: true, force: true });
  }
}

const formatLoad = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
const format = (value: number) => Math.round(value).toLocaleString('en-US');

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

const describe = (result: LoadResult) =>
  `${format(result.perSecond)}/s, p50 ${result.p50} ms, p99 ${result.p99} ms, ${format(result.cpuMicros)} µs CPU per delivery, non-2xx ${result.non2xx}`;
const stored = (result: KeelResult) => `stored ${format(result.stored)} of ${format(result.requests)} answered`;
const processed = (result: KeelResult) =>
  `processed ${format(result.processedDuringLoad)} during the load, the rest within ${format(result.drainMs)} ms`;
const range = (ratios: number[]) =>
  `${median(ratios).toFixed(2)}x (${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)})`;

async function benchShape(shape: Shape): Promise<string[]> {
  const size = JSON.stringify(
    findExamplePayloads(...(shape.event.split('.') as [string, string]))[shape.example],
  ).length;
  const lines = [
    `${shape.event} (${format(size)} bytes), ${shape.connections} connections for ${SECONDS} s from a second process, fresh delivery id per request, ${shape.describe}; ${ROUNDS} rounds, the servers one after the other in each, so each ratio compares runs seconds apart`,
  ];
  const allInOneRatios: number[] = [];
  const receiveOnlyRatios: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const probot = await benchBareProbot(shape);
    const receiveOnly = shape.receiveOnly ? await benchKeel(shape, { workers: false }) : undefined;
    const allInOne = await benchKeel(shape);
    allInOneRatios.push(allInOne.perSecond / probot.perSecond);
    lines.push(`round ${round}: bare Probot createNodeMiddleware ${describe(probot)}`);
    if (receiveOnly) {
      receiveOnlyRatios.push(receiveOnly.perSecond / probot.perSecond);
      lines.push(
        `  Keel receive-only (no workers in the process) ${describe(receiveOnly)}, ${stored(receiveOnly)}: ${(receiveOnlyRatios.at(-1) as number).toFixed(2)}x`,
      );
    }
    lines.push(
      `  Keel all in one process (4 workers dispatching) ${describe(allInOne)}, ${stored(allInOne)}, ${processed(allInOne)}: ${(allInOneRatios.at(-1) as number).toFixed(2)}x`,
    );
  }
  const receiveOnly = receiveOnlyRatios.length > 0 ? `, receive-only ${range(receiveOnlyRatios)}` : '';
  lines.push(`median ratio Keel / Probot: all-in-one ${range(allInOneRatios)}${receiveOnly}`);
  return lines;
}

export async function benchReceiver(): Promise<{ name: string; lines: string[] }> {
  const picked = process.env.BENCH_SHAPES?.split(',');
  const lines: string[] = [`load average at the start ${formatLoad()}`];
  for (const shape of SHAPES.filter((candidate) => !picked || picked.includes(candidate.id))) {
    lines.push(...(await benchShape(shape)));
  }
  const paced = SHAPES.find((shape) => shape.id === 'pull') as Shape;
  const probotPaced = await benchBareProbot(paced, 200);
  const keelPaced = await benchKeel(paced, { rate: 200 });
  lines.push(
    `paced at 200 deliveries/s over ${PACED_CONNECTIONS} connections (${paced.event}): Probot p50 ${probotPaced.p50} ms, p99 ${probotPaced.p99} ms; Keel all-in-one p50 ${keelPaced.p50} ms, p99 ${keelPaced.p99} ms (target p99 < 50 ms), ${stored(keelPaced)}`,
  );
  lines.push(`load average at the end ${formatLoad()}`);
  return { name: 'receiver', lines };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { name, lines } = await benchReceiver();
  console.log(name);
  for (const line of lines) console.log(`  ${line}`);
}
