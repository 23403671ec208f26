import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { example } from '../../fixtures/index.js';
import { startKeel, type TestKeel } from '../helpers/keel.js';

describe('operations endpoints', () => {
  let keel: TestKeel;
  beforeEach(async () => {
    keel = await startKeel();
  });
  afterEach(() => keel.stop());

  it('answers /healthz', async () => {
    const response = await fetch(`${keel.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('is ready when the store answers and the app credentials sign a JWT', async () => {
    const response = await fetch(`${keel.url}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'ready',
      checks: [
        { name: 'store', ok: true, detail: 'sqlite answers' },
        { name: 'credentials', ok: true, detail: 'app 4242: JWT signed' },
      ],
    });
  });

  it('is not ready once the store is gone', async () => {
    await keel.keel.store.close();
    const response = await fetch(`${keel.url}/readyz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({
      status: 'not ready',
      checks: [
        { name: 'store', ok: false },
        { name: 'credentials', ok: true },
      ],
    });
  });

  it('exposes deliveries, latency and inbox depth as Prometheus text', async () => {
    await keel.send('pull_request', example('pull_request.opened'), 'm1');
    await keel.send('pull_request', example('pull_request.opened'), 'm1');
    await keel.keel.worker.idle();
    const response = await fetch(`${keel.url}/metrics`);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toContain('keel_deliveries_received_total{event="pull_request",outcome="accepted"} 1');
    expect(text).toContain('keel_deliveries_received_total{event="pull_request",outcome="duplicate"} 1');
    expect(text).toContain('keel_deliveries_processed_total{event="pull_request",outcome="processed"} 1');
    expect(text).toContain('keel_delivery_processing_seconds_count{event="pull_request"} 1');
    expect(text).toContain('keel_inbox_depth{status="queued"} 0');
    expect(text).toContain('# TYPE keel_github_requests_total counter');
  });
});
