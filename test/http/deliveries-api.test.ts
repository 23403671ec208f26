import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { insertDeliveries } from '../../src/inbox/deliveries.js';
import { example } from '../../fixtures/index.js';
import { startKeel, type TestKeel } from '../helpers/keel.js';

describe('the deliveries API', () => {
  let keel: TestKeel;
  let failNext = true;

  beforeEach(async () => {
    failNext = true;
    keel = await startKeel({
      worker: { maxAttempts: 1 },
      appFunctions: [
        (app) => {
          app.on('issue_comment', async () => {
            if (failNext) throw new Error('the handler broke');
          });
          app.on('pull_request', async () => undefined);
        },
      ],
    });
  });
  afterEach(() => keel.stop());

  it('refuses a request without the admin token', async () => {
    const response = await fetch(`${keel.url}/api/deliveries`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="keel"');
    expect(await response.json()).toEqual({
      error: 'Missing or wrong bearer token.',
      remedy: 'Send Authorization: Bearer $KEEL_ADMIN_TOKEN.',
    });
  });

  it('lists deliveries newest first in the documented shape', async () => {
    await keel.send('pull_request', example('pull_request.opened'), 'first');
    await new Promise((resolve) => setTimeout(resolve, 5));
    await keel.send('push', example('push'), 'second');
    await keel.keel.worker.idle();
    const response = await keel.api('/api/deliveries');
    const body = (await response.json()) as Record<string, unknown>[];
    expect(body.map((delivery) => delivery.id)).toEqual(['second', 'first']);
    expect(body[1]).toMatchObject({
      id: 'first',
      event: 'pull_request',
      action: 'opened',
      status: 'processed',
      attempts: 1,
      error: null,
    });
  });

  it('filters by status and limits the count', async () => {
    await keel.send('issue_comment', example('issue_comment.created'), 'broken');
    await keel.send('pull_request', example('pull_request.opened'), 'fine');
    await keel.keel.worker.idle();
    const dead = (await (await keel.api('/api/deliveries?status=dead&limit=1')).json()) as Record<string, unknown>[];
    expect(dead).toEqual([
      expect.objectContaining({ id: 'broken', status: 'dead', attempts: 1, error: 'Error: the handler broke' }),
    ]);
  });

  it('answers the newest 100 by default, and as many as limit asks for up to 1000', async () => {
    const receivedAt = Date.now();
    await insertDeliveries(
      keel.keel.store,
      Array.from({ length: 1_001 }, (_, index) => ({
        id: `d${index}`,
        event: 'star',
        action: 'created',
        installationId: null,
        repository: null,
        payload: Buffer.from('{}'),
        status: 'ignored' as const,
        receivedAt: receivedAt + index,
      })),
    );
    const ids = async (query: string) =>
      ((await (await keel.api(`/api/deliveries${query}`)).json()) as { id: string }[]).map((delivery) => delivery.id);
    const byDefault = await ids('');
    expect([byDefault.length, byDefault[0], byDefault.at(-1)]).toEqual([100, 'd1000', 'd901']);
    expect(await ids('?limit=3')).toEqual(['d1000', 'd999', 'd998']);
    const most = await ids('?limit=1000');
    expect([most.length, most.at(-1)]).toEqual([1000, 'd1']);
  });

  it('answers 400 for a limit over 1000', async () => {
    const response = await keel.api('/api/deliveries?limit=1001');
    expect(response.status).toBe(400);
  });

  it('requeues a dead letter, which then succeeds', async () => {
    await keel.send('issue_comment', example('issue_comment.created'), 'broken');
    await keel.keel.worker.idle();
    failNext = false;
    const retry = await keel.api('/api/deliveries/broken/retry', { method: 'POST' });
    expect(retry.status).toBe(202);
    expect(await retry.json()).toMatchObject({ id: 'broken', status: 'queued', attempts: 0 });
    await keel.keel.worker.idle();
    const after = (await (await keel.api('/api/deliveries/broken')).json()) as Record<string, unknown>;
    expect(after).toMatchObject({ status: 'processed', attempts: 1, error: null });
  });

  it('answers 409 when asked to retry a delivery that did not fail', async () => {
    await keel.send('pull_request', example('pull_request.opened'), 'fine');
    await keel.keel.worker.idle();
    const response = await keel.api('/api/deliveries/fine/retry', { method: 'POST' });
    expect(response.status).toBe(409);
  });
});
