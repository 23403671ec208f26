import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { upsertInstallation } from '../../src/connection/installation-rows.js';
import { connectionPlugin } from '../../src/connection/plugin.js';
import { verifyInstallationNow } from '../../src/connection/verify-and-store.js';
import { startKeel, type TestKeel } from '../helpers/keel.js';

const ID = 957387;

/** A GitHub Enterprise host that accepts connections and never answers (a hung or blackholed host). */
async function startSilentHost(): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    server,
    port,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function closedPort(): Promise<number> {
  const host = await startSilentHost();
  await host.close();
  return host.port;
}

let keel: TestKeel | undefined;
let silent: Awaited<ReturnType<typeof startSilentHost>> | undefined;
afterEach(async () => {
  await keel?.stop();
  await silent?.close();
  keel = undefined;
  silent = undefined;
});

/** A Keel on a GHES host at `port` that knows installation ID (background verification off). */
async function startKeelOn(port: number, interactiveTimeoutMs?: number): Promise<TestKeel> {
  const started = await startKeel({
    env: { GHE_HOST: `127.0.0.1:${port}`, GHE_PROTOCOL: 'http' },
    plugins: [connectionPlugin({ background: false, ...(interactiveTimeoutMs ? { interactiveTimeoutMs } : {}) })],
  });
  await upsertInstallation(
    started.keel.store,
    {
      id: ID,
      account: { login: 'acme', type: 'Organization', id: 100 },
      selection: 'selected',
      permissions: { metadata: 'read' },
      events: [],
      suspendedAt: null,
      suspendedBy: null,
    },
    { now: Date.now() },
  );
  return started;
}

interface VerifyAnswer {
  state: string;
  checks: { name: string; status: string; finding: string }[];
}

async function verifyTimed(target: TestKeel): Promise<{ ms: number; body: VerifyAnswer }> {
  const started = Date.now();
  const response = await target.api(`/api/installations/${ID}/verify`, { method: 'POST' });
  return { ms: Date.now() - started, body: (await response.json()) as VerifyAnswer };
}

describe('verifying now, while someone waits for the answer', () => {
  it('names a GitHub host that never answers as timed out, without waiting on retries', async () => {
    silent = await startSilentHost();
    keel = await startKeelOn(silent.port, 300);
    const { ms, body } = await verifyTimed(keel);
    expect([body.state, body.checks[0]]).toEqual([
      'unreachable',
      expect.objectContaining({
        name: 'app-credentials',
        status: 'fail',
        finding: `Timed out reaching 127.0.0.1:${silent.port} (ETIMEDOUT).`,
      }),
    ]);
    expect(ms).toBeLessThan(5_000);
  });

  it('names a refused connection at once: no retries on this path (the background ones keep theirs)', async () => {
    keel = await startKeelOn(await closedPort());
    const { ms, body } = await verifyTimed(keel);
    expect(body.checks[0]?.finding).toMatch(/^Connection to 127\.0\.0\.1:\d+ failed \(ECONNREFUSED\)\.$/);
    // Octokit's 3 retries would wait 1 + 4 + 9 seconds between attempts.
    expect(ms).toBeLessThan(5_000);
  });

  it('is exported for the console as verifyInstallationNow(services, installationId, { timeoutMs })', async () => {
    silent = await startSilentHost();
    keel = await startKeelOn(silent.port);
    const report = await verifyInstallationNow(keel.keel, ID, { timeoutMs: 300 });
    expect([report?.state, report?.checks[0]?.finding]).toEqual([
      'unreachable',
      `Timed out reaching 127.0.0.1:${silent.port} (ETIMEDOUT).`,
    ]);
  });

  it('answers within 15 seconds by default: 10 s per request, all read checks within 12 s', async () => {
    const { INTERACTIVE_TIMEOUT_MS } = await import('../../src/connection/verify-and-store.js');
    expect(INTERACTIVE_TIMEOUT_MS * 1.2).toBeLessThan(15_000);
  });
});
