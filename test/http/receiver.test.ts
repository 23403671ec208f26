import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EmitterWebhookEvent } from '@octokit/webhooks';
import { handledEvents, subscribedEvents } from '../../src/capabilities.js';
import { listDeliveries } from '../../src/inbox/deliveries.js';
import { example, signDelivery } from '../../fixtures/index.js';
import { startKeel, TEST_WEBHOOK_SECRET, type TestKeel } from '../helpers/keel.js';

describe('the webhook receiver, end to end on a real server', () => {
  let keel: TestKeel;
  const received: { id: string; name: string; payload: unknown }[] = [];

  beforeEach(async () => {
    received.length = 0;
    keel = await startKeel({
      appFunctions: [
        (app) => {
          app.onAny(async (event: EmitterWebhookEvent) => {
            received.push({ id: event.id, name: event.name, payload: event.payload });
          });
        },
      ],
    });
  });
  afterEach(() => keel.stop());

  async function stored() {
    return listDeliveries(keel.keel.store, { limit: 1000 });
  }

  it.each([...handledEvents()].sort())(
    'stores a signed %s delivery and hands it to the handlers intact',
    async (event) => {
      const payload =
        event === 'installation_target' ? example('installation_target.renamed') : example(event as 'push');
      const response = await keel.send(event, payload, `delivery-${event}`);
      expect(response.status).toBe(202);
      await keel.keel.worker.idle();
      expect(received).toEqual([{ id: `delivery-${event}`, name: event, payload }]);
      expect((await stored()).map((row) => [row.id, row.status])).toEqual([[`delivery-${event}`, 'processed']]);
    },
  );

  it('subscribes to exactly the events the capabilities need', () => {
    expect(subscribedEvents()).toEqual([
      'discussion',
      'discussion_comment',
      'issue_comment',
      'pull_request',
      'push',
      'workflow_job',
      'workflow_run',
    ]);
  });

  it('answers a redelivered id with 202 and does not process it twice', async () => {
    const payload = example('pull_request.opened');
    expect((await keel.send('pull_request', payload, 'same-id')).status).toBe(202);
    const again = await keel.send('pull_request', payload, 'same-id');
    expect(again.status).toBe(202);
    expect(await again.json()).toMatchObject({ message: 'Already received; not processed again.' });
    await keel.keel.worker.idle();
    expect(received).toHaveLength(1);
  });

  it('stores a validly signed event Keel does not subscribe to as ignored, never dispatched', async () => {
    const response = await keel.send('star', example('star.created'), 'a-star');
    expect(response.status).toBe(202);
    await keel.keel.worker.idle();
    expect(received).toEqual([]);
    expect((await stored()).map((row) => [row.id, row.status])).toEqual([['a-star', 'ignored']]);
  });

  it('records the installation and repository of a delivery', async () => {
    const payload = example('pull_request.opened');
    await keel.send('pull_request', payload, 'facts');
    const [row] = await stored();
    expect(row).toMatchObject({ event: 'pull_request', action: 'opened', repository: payload.repository.full_name });
  });

  describe('refuses bad input before storing anything', () => {
    const post = (headers: Record<string, string>, body: string | Buffer) =>
      fetch(`${keel.url}/api/github/webhooks`, { method: 'POST', headers, body });
    const valid = () => signDelivery(TEST_WEBHOOK_SECRET, 'pull_request', example('pull_request.opened'), 'bad-input');

    it.each([
      [
        'a wrong signature',
        (headers: Record<string, string>) => ({ ...headers, 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` }),
      ],
      ['a missing signature', ({ 'x-hub-signature-256': _removed, ...headers }: Record<string, string>) => headers],
      [
        'a truncated signature',
        (headers: Record<string, string>) => ({
          ...headers,
          'x-hub-signature-256': (headers['x-hub-signature-256'] ?? '').slice(0, 40),
        }),
      ],
      [
        'a SHA-1 signature only',
        ({ 'x-hub-signature-256': _removed, ...headers }: Record<string, string>) => ({
          ...headers,
          'x-hub-signature': 'sha1=0000000000000000000000000000000000000000',
        }),
      ],
    ])('401 for %s', async (_case, alter) => {
      const delivery = valid();
      const response = await post(alter(delivery.headers), delivery.body);
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({
        error: 'Missing or wrong X-Hub-Signature-256: the webhook secret does not match.',
      });
      expect(await stored()).toEqual([]);
    });

    it('401 for a body changed after signing', async () => {
      const delivery = valid();
      const response = await post(delivery.headers, delivery.body.replace('opened', 'closed'));
      expect(response.status).toBe(401);
      expect(await stored()).toEqual([]);
    });

    it.each(['x-github-event', 'x-github-delivery'])('400 without the %s header', async (name) => {
      const { [name]: _removed, ...headers } = valid().headers;
      const response = await post(headers, valid().body);
      expect(response.status).toBe(400);
      expect(await stored()).toEqual([]);
    });

    it('400 for a signed body that is not JSON', async () => {
      const delivery = signDelivery(TEST_WEBHOOK_SECRET, 'push', 'placeholder', 'not-json');
      const body = 'payload=%7B%7D';
      const { createHmac } = await import('node:crypto');
      const headers = {
        ...delivery.headers,
        'x-hub-signature-256': `sha256=${createHmac('sha256', TEST_WEBHOOK_SECRET).update(body).digest('hex')}`,
      };
      const response = await post(headers, body);
      expect(response.status).toBe(400);
      expect(await stored()).toEqual([]);
    });

    it('413 for a body over 25 MB, and the server stays up', async () => {
      const delivery = valid();
      const response = await post(delivery.headers, Buffer.alloc(25 * 1024 * 1024 + 1, 0x20));
      expect(response.status).toBe(413);
      expect(await stored()).toEqual([]);
      expect((await fetch(`${keel.url}/healthz`)).status).toBe(200);
    });
  });
});
