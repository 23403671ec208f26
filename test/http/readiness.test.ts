import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { checkRedis, createGitHubCheck } from '../../src/http/readiness.js';

const log = pino({ level: 'silent' });

describe('the GitHub readiness check', () => {
  it('asks GitHub at most once a minute, and again after it', async () => {
    let clock = 0;
    let asked = 0;
    const check = createGitHubCheck({
      githubHost: 'api.github.com',
      now: () => clock,
      fetchApp: async () => ({ id: ++asked, name: 'Keel' }),
    });
    expect(await check()).toMatchObject({ ok: true, detail: 'api.github.com accepts the credentials of app 1 (Keel)' });
    clock = 59_999;
    expect(await check()).toMatchObject({ detail: 'api.github.com accepts the credentials of app 1 (Keel)' });
    clock = 60_000;
    expect(await check()).toMatchObject({ detail: 'api.github.com accepts the credentials of app 2 (Keel)' });
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
