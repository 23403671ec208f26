import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, createSecretScrubber } from '../../src/logging.js';
import { startWebhookProxy, type WebhookProxy } from '../../src/http/webhook-proxy.js';

async function listen(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString('utf8'));
      callback();
    },
  });
  const log = await createLogger({ level: 'info', format: 'json', scrub: createSecretScrubber([]), destination });
  return { log, output: () => lines.join('') };
}

describe('WEBHOOK_PROXY_URL', () => {
  const servers: Server[] = [];
  let proxy: WebhookProxy | undefined;
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('forwards a delivery from the channel to the receiver, headers and body intact', async () => {
    const received: { headers: IncomingMessage['headers']; body: string }[] = [];
    const target = await listen((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(202).end();
      });
    });
    const channel = await listen((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      const delivery = {
        'x-github-event': 'ping',
        'x-hub-signature-256': 'sha256=abc',
        body: { zen: 'Keep it simple.' },
      };
      res.write(`data: ${JSON.stringify(delivery)}\n\n`);
    });
    servers.push(target.server, channel.server);
    const { log } = await capture();
    proxy = await startWebhookProxy({ source: `${channel.url}/abc`, target: `${target.url}/api/github/webhooks`, log });
    await expect.poll(() => received.length).toBe(1);
    expect(received[0]?.body).toBe('{"zen":"Keep it simple."}');
    expect(received[0]?.headers).toMatchObject({ 'x-github-event': 'ping', 'x-hub-signature-256': 'sha256=abc' });
  });

  it('keeps Keel running, and says what to check, when the channel cannot be reached', async () => {
    const closed = await listen(() => undefined);
    await new Promise((resolve) => closed.server.close(resolve));
    const { log, output } = await capture();
    proxy = await startWebhookProxy({
      source: `${closed.url}/abc`,
      target: 'http://127.0.0.1:1/api/github/webhooks',
      log,
    });
    expect(output()).toContain(`Cannot reach WEBHOOK_PROXY_URL ${closed.url}/abc`);
    expect(output()).toContain('Keel keeps running');
    expect(output()).not.toContain('[object Event]');
  });
});
