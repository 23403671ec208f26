import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EmitterWebhookEvent } from '@octokit/webhooks';
import { handledEvents, subscribedEvents } from '../../src/capabilities.js';
import { listDeliveries } from '../../src/inbox/deliveries.js';
import { example, signDelivery } from '../../fixtures/index.js';
import { startKeel, TEST_WEBHOOK_SECRET, type TestKeel } from '../helpers/keel.js';

const METRICS_TOKEN = 'test-metrics-token-0123456789';

describe('the webhook receiver, end to end on a real server', () => {
  let keel: TestKeel;
  const received: { id: string; name: string; payload: unknown }[] = [];

  beforeEach(async () => {
    received.length = 0;
    keel = await startKeel({
      env: { KEEL_METRICS_TOKEN: METRICS_TOKEN },
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

  async function metricLines(name: string): Promise<string[]> {
    const response = await fetch(`${keel.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    return (await response.text()).split('\n').filter((line) => line.startsWith(`${name}{`));
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

  it('counts a signed event GitHub does not send under one event label, other', async () => {
    expect((await keel.send('made_up_event', { zen: 'Keep it logically awesome.' }, 'made-up')).status).toBe(202);
    expect(await metricLines('keel_deliveries_received_total')).toEqual([
      'keel_deliveries_received_total{event="other",outcome="ignored"} 1',
    ]);
  });

  it('counts unsigned requests by refusal reason only, whatever event names they carry', async () => {
    const delivery = signDelivery(TEST_WEBHOOK_SECRET, 'push', example('push'), 'unsigned');
    for (let index = 0; index < 20; index++) {
      const headers = { ...delivery.headers, 'x-github-event': `random_${index}`, 'x-hub-signature-256': 'sha256=0' };
      const response = await fetch(`${keel.url}/api/github/webhooks`, { method: 'POST', headers, body: delivery.body });
      expect(response.status).toBe(401);
    }
    const { 'x-github-delivery': _removed, ...withoutId } = delivery.headers;
    const response = await fetch(`${keel.url}/api/github/webhooks`, { method: 'POST', headers: withoutId, body: '{}' });
    expect(response.status).toBe(400);
    expect(await metricLines('keel_deliveries_received_total')).toEqual([]);
    expect(await metricLines('keel_webhook_requests_refused_total')).toEqual([
      'keel_webhook_requests_refused_total{reason="bad-signature"} 20',
      'keel_webhook_requests_refused_total{reason="missing-headers"} 1',
    ]);
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

    it('400 for a signed JSON array: GitHub sends each delivery as one object', async () => {
      const delivery = signDelivery(TEST_WEBHOOK_SECRET, 'pull_request', [example('pull_request.opened')], 'array');
      const response = await post(delivery.headers, delivery.body);
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        error: 'The body is not a JSON object: GitHub sends each delivery as one object.',
      });
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
