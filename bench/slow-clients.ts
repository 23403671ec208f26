/**
 * Memory of a Keel process under a few hundred slow, unsigned webhook requests: each declares a
 * 25 MB body and trickles it in. With the defaults (KEEL_WEBHOOK_BUFFER_BYTES 64 MiB,
 * KEEL_REQUEST_TIMEOUT_MS 12 s) the bytes held stay under the budget and every connection is cut
 * off at the timeout; "no budget" lifts the budget to show what the same load holds without it.
 * Each case runs in a fresh process; reports its resident memory before, at its peak, and after.
 * Run alone with `node --import tsx bench/slow-clients.ts`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { loadConfig } from '../src/config.js';
import { createKeel } from '../src/keel.js';
import { testPrivateKey } from '../fixtures/index.js';

const CONNECTIONS = Number(process.env.BENCH_SLOW_CONNECTIONS ?? 300);
const BYTES_PER_SECOND = 64 * 1024;
const DECLARED = 25 * 1024 * 1024;
const MB = 1024 * 1024;

/** One slow client: sends headers, then BYTES_PER_SECOND in ten slices a second, until cut off. */
function trickle(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let response = '';
    const slice = Buffer.alloc(BYTES_PER_SECOND / 10, 0x20);
    const timer = setInterval(() => {
      if (socket.writable && socket.writableLength === 0) socket.write(slice);
    }, 100);
    socket.on('data', (chunk) => (response += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1]) || undefined);
    });
    socket.write(
      [
        'POST /api/github/webhooks HTTP/1.1',
        'host: 127.0.0.1',
        'content-type: application/json',
        'x-github-event: push',
        `x-github-delivery: slow-${Math.random()}`,
        'x-hub-signature-256: sha256=0',
        `content-length: ${DECLARED}`,
        '',
        '',
      ].join('\r\n'),
    );
  });
}

async function measureHere(bufferBytes: number | undefined): Promise<string> {
  const directory = mkdtempSync(join(tmpdir(), 'keel-bench-slow-'));
  const config = loadConfig({
    APP_ID: '1',
    PRIVATE_KEY: testPrivateKey(),
    WEBHOOK_SECRET: 'bench-secret',
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: `file:${join(directory, 'keel.db')}`,
    KEEL_WORKER_CONCURRENCY: '0',
    ...(bufferBytes ? { KEEL_WEBHOOK_BUFFER_BYTES: String(bufferBytes) } : {}),
  });
  const keel = await createKeel({ config, log: pino({ level: 'silent' }) });
  const port = Number(new URL(await keel.listen()).port);
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  const started = performance.now();
  const statuses = await Promise.all(Array.from({ length: CONNECTIONS }, () => trickle(port)));
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  const after = process.memoryUsage().rss;
  await keel.stop(1_000);
  rmSync(directory, { recursive: true, force: true });
  const count = (status: number) => statuses.filter((value) => value === status).length;
  return `RSS ${Math.round(before / MB)} MB before, peak ${Math.round(peak / MB)} MB, ${Math.round(after / MB)} MB after; all ${CONNECTIONS} cut off within ${seconds.toFixed(1)} s (${count(503)} × 503 busy, ${count(408)} × 408 timeout)`;
}

/** Runs one case in a process of its own, so one case's heap does not inflate the next. */
async function measure(bufferBytes: number | undefined): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
    env: { ...process.env, BENCH_SLOW_CASE: String(bufferBytes ?? 'default') },
  });
  return stdout.trim();
}

export async function benchSlowClients(): Promise<{ name: string; lines: string[] }> {
  const lines = [
    `load: ${CONNECTIONS} unsigned requests declaring 25 MB, each sending ${BYTES_PER_SECOND / 1024} KB/s`,
    `defaults (64 MiB budget, 12 s request timeout): ${await measure(undefined)}`,
    `no budget (4 GiB), same timeout: ${await measure(4 * 1024 * MB)}`,
  ];
  return { name: 'slow unsigned clients', lines };
}

const slowCase = process.env.BENCH_SLOW_CASE;
if (slowCase && process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(await measureHere(slowCase === 'default' ? undefined : Number(slowCase)));
} else if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { name, lines } = await benchSlowClients();
  console.log(name);
  for (const line of lines) console.log(`  ${line}`);
}
