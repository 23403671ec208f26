/**
 * The process as an operator runs it: `npm start` (registered or not) on a port another process
 * holds says so and how to fix it, without a stack trace; SIGTERM sent to `npm start` stops Keel
 * itself, not only npm. `npm start` runs the compiled `node dist/main.js`; the port tests run that
 * directly, without npm in between.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { assertBuilt, ROOT } from './helpers/built.js';
import { testEnv } from './helpers/keel.js';

let directory: string;
let occupier: Server;
let children: ChildProcess[] = [];
let servers: Server[] = [];

beforeAll(() => assertBuilt());
beforeEach(async () => {
  directory = mkdtempSync(join(tmpdir(), 'keel-main-'));
  occupier = createServer();
  await new Promise<void>((resolve) => occupier.listen(0, '127.0.0.1', resolve));
});
afterEach(async () => {
  for (const child of children) child.kill('SIGKILL');
  children = [];
  await Promise.all([occupier, ...servers].map((server) => new Promise((resolve) => server.close(resolve))));
  servers = [];
  rmSync(directory, { recursive: true, force: true });
});

function run(command: string, args: string[], env: Record<string, string>) {
  const child = spawn(command, args, {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      LOG_LEVEL: 'warn',
      DATABASE_URL: `file:${join(directory, 'keel.db')}`,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exit, output: () => output };
}

const busyPort = () => String((occupier.address() as AddressInfo).port);

describe('a port another process holds', () => {
  it('is named with the fix when Keel is registered', async () => {
    const keel = run(process.execPath, ['dist/main.js'], {
      ...testEnv(),
      PORT: busyPort(),
      HOST: '127.0.0.1',
    });
    expect(await keel.exit).toBe(1);
    expect(keel.output()).toContain(`keel: Another process is already listening on 127.0.0.1 port ${busyPort()}.`);
    expect(keel.output()).toContain('fix: Stop that process');
    expect(keel.output()).not.toMatch(/^\s+at /m);
  }, 60_000);

  it('is named with the fix before registration, and no page points at the other process', async () => {
    const keel = run(process.execPath, ['dist/main.js'], { PORT: busyPort(), HOST: '127.0.0.1' });
    expect(await keel.exit).toBe(1);
    expect(keel.output()).toContain('keel: Another process is already listening');
    expect(keel.output()).not.toContain('Open http');
    expect(keel.output()).not.toMatch(/^\s+at /m);
  }, 60_000);
});

describe('npm start', () => {
  it('stops Keel itself on SIGTERM (no node process left behind)', async () => {
    const free = createServer();
    await new Promise<void>((resolve) => free.listen(0, '127.0.0.1', resolve));
    const port = String((free.address() as AddressInfo).port);
    await new Promise((resolve) => free.close(resolve));

    const github = await startGitHubStandIn();
    const npm = run('npm', ['start', '--silent'], {
      ...testEnv(),
      PORT: port,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      GHE_HOST: github.host,
      GHE_PROTOCOL: 'http',
    });
    await expect.poll(() => npm.output(), { timeout: 45_000, interval: 100 }).toContain('Keel listening on');
    const keelPid = Number((await findChildPids(npm.child.pid ?? 0))[0]);
    npm.child.kill('SIGTERM');
    expect(await npm.exit).toBe(0);
    expect(isRunning(keelPid)).toBe(false);
  }, 60_000);
});

/**
 * GitHub's REST API as far as start-up asks (the app, its installations, its deliveries), on
 * loopback: the process outside nock's reach must not try api.github.com, and background work
 * waiting on an unreachable GitHub would hold its shutdown for the whole grace period.
 */
async function startGitHubStandIn(): Promise<{ host: string }> {
  const answers: Record<string, unknown> = {
    '/api/v3/app': { id: 4242, slug: 'keel', name: 'Keel' },
    '/api/v3/app/installations': [],
    '/api/v3/app/hook/deliveries': [],
  };
  const server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0] ?? '';
    const answer = request.method === 'GET' ? answers[path] : undefined;
    response.writeHead(answer === undefined ? 404 : 200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(answer ?? { message: 'Not Found' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { host: `127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** The pids whose parent is `pid` (Linux /proc), e.g. the node process npm started. */
async function findChildPids(pid: number): Promise<string[]> {
  const { readFileSync } = await import('node:fs');
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  return children === '' ? [] : children.split(/\s+/);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
