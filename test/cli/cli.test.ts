import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/index.js';
import { example } from '../../fixtures/index.js';
import { startKeel, TEST_ADMIN_TOKEN, TEST_WEBHOOK_SECRET, type TestKeel } from '../helpers/keel.js';

/** A loopback port nothing listens on: bound, read, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function console() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out: () => out.join(''),
    err: () => err.join(''),
    stdout: { write: (text: string) => out.push(text) },
    stderr: { write: (text: string) => err.push(text) },
  };
}

describe('npx keel against a running Keel', () => {
  let keel: TestKeel;
  let env: Record<string, string>;

  beforeEach(async () => {
    keel = await startKeel({
      worker: { maxAttempts: 1 },
      appFunctions: [
        (app) => {
          app.on('issue_comment', async () => {
            throw new Error('handler failed');
          });
          app.on('pull_request', async () => undefined);
        },
      ],
    });
    env = { KEEL_URL: keel.url, KEEL_ADMIN_TOKEN: TEST_ADMIN_TOKEN, WEBHOOK_SECRET: TEST_WEBHOOK_SECRET };
  });
  afterEach(() => keel.stop());

  it('send signs an example payload and posts it; Keel accepts it', async () => {
    const io = console();
    const code = await runCli(['send', 'pull_request.opened', '--id', 'cli-1'], { env, ...io });
    expect(code).toBe(0);
    expect(io.out()).toBe('202 cli-1: Accepted.\n');
    await keel.keel.worker.idle();
    const [delivery] = (await (await keel.api('/api/deliveries')).json()) as { id: string; action: string }[];
    expect(delivery).toMatchObject({ id: 'cli-1', action: 'opened' });
  });

  it('send fails clearly with a wrong webhook secret', async () => {
    const io = console();
    const code = await runCli(['send', 'push'], { env: { ...env, WEBHOOK_SECRET: 'wrong-secret' }, ...io });
    expect(code).toBe(1);
    expect(io.out()).toContain('401');
  });

  it('deliveries lists the inbox as a table, and as JSON with --json', async () => {
    await keel.send('pull_request', example('pull_request.opened'), 'listed');
    await keel.keel.worker.idle();
    const table = console();
    expect(await runCli(['deliveries'], { env, ...table })).toBe(0);
    expect(table.out()).toMatch(/^RECEIVED\s+ID\s+EVENT\s+STATUS\s+ATTEMPTS\s+ERROR\n/);
    expect(table.out()).toMatch(/listed\s+pull_request\.opened\s+processed\s+1/);
    const json = console();
    await runCli(['deliveries', '--json', '--status', 'processed'], { env, ...json });
    expect(JSON.parse(json.out())).toEqual([expect.objectContaining({ id: 'listed', status: 'processed' })]);
  });

  it('retry requeues a dead letter', async () => {
    await keel.send('issue_comment', example('issue_comment.created'), 'dead-one');
    await keel.keel.worker.idle();
    const io = console();
    expect(await runCli(['retry', 'dead-one'], { env, ...io })).toBe(0);
    expect(io.out()).toBe('dead-one queued again\n');
  });

  it('says how to fix a missing token', async () => {
    const io = console();
    expect(await runCli(['deliveries'], { env: { KEEL_URL: keel.url }, ...io })).toBe(2);
    expect(io.err()).toBe('keel deliveries: KEEL_ADMIN_TOKEN is not set: export the token Keel was started with.\n');
  });

  it('says how to reach Keel when nothing listens', async () => {
    const io = console();
    const port = await closedPort();
    expect(await runCli(['deliveries'], { env: { ...env, KEEL_URL: `http://127.0.0.1:${port}` }, ...io })).toBe(2);
    expect(io.err()).toContain(
      `Cannot reach Keel at http://127.0.0.1:${port} (ECONNREFUSED): start it with npm start, or set KEEL_URL.`,
    );
  });

  it('send says how to reach Keel when nothing listens', async () => {
    const io = console();
    const port = await closedPort();
    expect(await runCli(['send', 'push'], { env: { ...env, KEEL_URL: `http://127.0.0.1:${port}` }, ...io })).toBe(2);
    expect(io.err()).toBe(
      `keel send: Cannot reach Keel at http://127.0.0.1:${port} (ECONNREFUSED): start it with npm start, or set KEEL_URL.\n`,
    );
  });

  it('lists its commands on --help', async () => {
    const io = console();
    expect(await runCli(['--help'], { env, ...io })).toBe(0);
    expect(io.out()).toContain('usage: keel <command> [options]');
  });
});
