import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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
