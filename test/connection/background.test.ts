import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connectionPlugin, type ConnectionPluginOptions } from '../../src/connection/plugin.js';
import { example } from '../../fixtures/index.js';
import { githubApi, useGitHubMock } from '../helpers/github-mock.js';
import { startKeel, type TestKeel } from '../helpers/keel.js';
import { installationBody, mockVerification } from './mock-verification.js';

useGitHubMock();

const directory = mkdtempSync(join(tmpdir(), 'keel-background-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const METRICS_TOKEN = 'test-metrics-token-0123456789';

function scrape(keel: TestKeel): Promise<string> {
  return fetch(`${keel.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } }).then((response) =>
    response.text(),
  );
}

function start(name: string, options: ConnectionPluginOptions = {}): Promise<TestKeel> {
  return startKeel({
    env: { DATABASE_URL: `file:${join(directory, `${name}.db`)}`, KEEL_METRICS_TOKEN: METRICS_TOKEN },
    plugins: [connectionPlugin({ tickMs: 20, githubRetries: 0, ...options })],
  });
}

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function failedAttempt() {
  return {
    id: 9001,
    guid: 'missed-while-down',
    delivered_at: new Date(Date.now() - 60_000).toISOString(),
    redelivery: false,
    duration: 10,
    status: 'Invalid HTTP Response: 502',
    status_code: 502,
    event: 'push',
    action: null,
    installation_id: 42,
    repository_id: 1,
    throttled_at: null,
  };
}

/** The hourly run lists the app's installations first; here it may not get that far before Keel stops. */
function mayListInstallations() {
  githubApi().get('/app/installations').query({ per_page: 100 }).optionally().reply(200, []);
}

/** GitHub lists one delivery that failed while Keel was down, and accepts its redelivery. */
function mockOneMissedDelivery() {
  githubApi()
    .get('/app/hook/deliveries')
    .query({ per_page: 100 })
    .reply(200, [failedAttempt()])
    .post('/app/hook/deliveries/9001/attempts')
    .reply(202, {});
  mayListInstallations();
}

interface RedeliveriesBody {
  lastRun: null | { requested: number; failed: number };
  redeliveries: { guid: string; outcome: string }[];
}

describe('the missed-delivery sweep on start-up', () => {
  it('redelivers what failed while Keel was down and reports it at /api/redeliveries', async () => {
    mockOneMissedDelivery();
    const keel = await start('sweep');
    try {
      const body = await waitFor(
        async () => (await (await keel.api('/api/redeliveries')).json()) as RedeliveriesBody,
        (value) => value.lastRun !== null,
      );
      expect(body).toMatchObject({
        lastRun: { failed: 1, requested: 1 },
        redeliveries: [{ guid: 'missed-while-down', outcome: 'requested' }],
      });
    } finally {
      await keel.stop();
    }
  });

  it('counts the redeliveries in keel_redeliveries_total', async () => {
    mockOneMissedDelivery();
    const keel = await start('metrics');
    try {
      const text = await waitFor(
        () => scrape(keel),
        (value) => value.includes('keel_redeliveries_total{outcome="requested"} 1'),
      );
      expect(text).toContain('keel_redeliveries_total{outcome="requested"} 1');
    } finally {
      await keel.stop();
    }
  });
});

describe('the hourly verification', () => {
  it('verifies every installation when it is due, in one process', async () => {
    const seeding = await start('hourly', { background: false });
    await seeding.send('installation', example('installation.suspend'));
    await seeding.keel.worker.idle();
    await seeding.stop();

    githubApi().get('/app/hook/deliveries').query({ per_page: 100 }).reply(200, []);
    githubApi()
      .get('/app/installations')
      .query({ per_page: 100 })
      .reply(200, [installationBody({ installationId: 16598467 })]);
    mockVerification({ installationId: 16598467 });
    const keel = await start('hourly');
    try {
      const shown = await waitFor(
        async () => (await (await keel.api('/api/installations/16598467')).json()) as { report: unknown },
        (value) => value.report !== null,
      );
      expect(shown).toMatchObject({ state: 'connected', report: { checks: expect.any(Array) } });
    } finally {
      await keel.stop();
    }
  });
});

describe('keel_installations', () => {
  it('counts installations by state when /metrics is scraped', async () => {
    const keel = await start('gauge', { background: false });
    try {
      await keel.send('installation', example('installation.suspend'));
      await keel.keel.worker.idle();
      const text = await scrape(keel);
      expect(text.split('\n').filter((line) => line.startsWith('keel_installations{'))).toEqual(
        expect.arrayContaining(['keel_installations{state="suspended"} 1', 'keel_installations{state="connected"} 0']),
      );
    } finally {
      await keel.stop();
    }
  });
});
