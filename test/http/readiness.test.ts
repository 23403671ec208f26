import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { ProbotOctokit } from 'probot';
import { afterEach, describe, expect, it } from 'vitest';
import app from '../../fixtures/connection/app.json' with { type: 'json' };
import { testPrivateKey } from '../../fixtures/index.js';
import { loadConfig } from '../../src/config.js';
import { verifyAppNow } from '../../src/connection/verify-app-now.js';
import { HandlerProbot } from '../../src/inbox/handler-probot.js';
import { checkRedis, createGitHubCheck } from '../../src/http/readiness.js';
import { githubApi, useGitHubMock } from '../helpers/github-mock.js';

const log = pino({ level: 'silent' });

describe('the GitHub readiness check', () => {
  useGitHubMock();

  /** The check as Keel wires it: the connection verifier's app-credentials check, with a clock and a log to read. */
  function gitHubCheck(now: () => number = Date.now) {
    const config = loadConfig({ APP_ID: '1', PRIVATE_KEY: testPrivateKey(), WEBHOOK_SECRET: 'test-secret' });
    const probot = new HandlerProbot({
      appId: 1,
      secret: 'test-secret',
      privateKey: testPrivateKey(),
      Octokit: ProbotOctokit.defaults({ throttle: { enabled: false } }),
      log: pino({ level: 'silent' }),
    });
    const logs: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        logs.push(chunk.toString('utf8'));
        callback();
      },
    });
    const check = createGitHubCheck({
      checkAppCredentials: () => verifyAppNow({ probot, config }, { timeoutMs: 1_000 }),
      log: pino(destination),
      now,
    });
    return { check, logs };
  }

  it("passes with the verifier's finding, asking GitHub at most once a minute, and again after it", async () => {
    let clock = 0;
    const { check } = gitHubCheck(() => clock);
    githubApi().get('/app').reply(200, app);
    expect(await check()).toEqual({
      name: 'github',
      ok: true,
      detail: 'api.github.com accepts the credentials of app 1 (Keel)',
    });
    clock = 59_999;
    expect(await check()).toMatchObject({ detail: 'api.github.com accepts the credentials of app 1 (Keel)' });
    githubApi()
      .get('/app')
      .reply(200, { ...app, name: 'Keel renamed' });
    clock = 60_000;
    expect(await check()).toMatchObject({ detail: 'api.github.com accepts the credentials of app 1 (Keel renamed)' });
  });

  it('fails with the finding and remedy keel verify gives when GitHub knows no app for APP_ID, and logs why', async () => {
    const { check, logs } = gitHubCheck();
    githubApi().get('/app').reply(404, { message: 'Integration not found' });
    expect(await check()).toEqual({
      name: 'github',
      ok: false,
      detail: 'api.github.com knows no GitHub App for this APP_ID and private key (GET /app answered 404).',
      remedy:
        "Set APP_ID to the numeric App ID shown on the app's settings page (not its client ID or an installation ID), and PRIVATE_KEY to a key generated for that app.",
    });
    expect(logs.map((line) => JSON.parse(line) as Record<string, unknown>)).toEqual([
      expect.objectContaining({
        kind: 'not-found',
        msg: '/readyz: api.github.com knows no GitHub App for this APP_ID and private key (GET /app answered 404).',
      }),
    ]);
  });

  it('fails pointing at the log, rather than answering 500, when the check itself throws', async () => {
    const logs: string[] = [];
    const check = createGitHubCheck({
      checkAppCredentials: () => Promise.reject(new Error('no key at PRIVATE_KEY_PATH')),
      log: pino(
        new Writable({
          write(chunk: Buffer, _encoding, callback) {
            logs.push(chunk.toString('utf8'));
            callback();
          },
        }),
      ),
    });
    expect(await check()).toEqual({
      name: 'github',
      ok: false,
      detail: 'the GitHub check failed',
      remedy: 'See the Keel log.',
    });
    expect(logs.join('')).toContain('no key at PRIVATE_KEY_PATH');
  });
});

describe('the Redis readiness check', () => {
  const servers: Server[] = [];
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
  });

  /** A TCP server on loopback; `onData` decides what it answers. */
  async function serve(onData: (socket: Socket, data: string) => void): Promise<string> {
    const server = createServer((socket) => {
      sockets.push(socket);
      socket.on('data', (data) => onData(socket, data.toString('utf8')));
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `redis://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('passes when Redis answers PING', async () => {
    // A Redis that answers each command: PONG to PING, OK to the client's introductions.
    const url = await serve((socket, data) => {
      for (const command of data.split(/\*\d+\r\n/).slice(1)) {
        socket.write(/ping/i.test(command) ? '+PONG\r\n' : '+OK\r\n');
      }
    });
    expect(await checkRedis(url, log, 1_000)).toEqual({ name: 'redis', ok: true, detail: 'Redis answers PING' });
  });

  it('fails when nothing listens at REDIS_URL, with the cause and what to check', async () => {
    expect(await checkRedis('redis://127.0.0.1:1', log, 1_000)).toEqual({
      name: 'redis',
      ok: false,
      detail: 'Redis (REDIS_URL) does not answer: ECONNREFUSED',
      remedy:
        "Check REDIS_URL, and that Redis runs and this server may reach it: Keel's GitHub request throttling waits on it.",
    });
  });

  it('fails, rather than waits, when Redis accepts the connection and never answers', async () => {
    const url = await serve(() => undefined);
    expect(await checkRedis(url, log, 200)).toMatchObject({
      name: 'redis',
      ok: false,
      detail: expect.stringMatching(/^Redis \(REDIS_URL\) does not answer: /),
    });
  });
});
