import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectionPlugin } from '../../src/connection/plugin.js';
import { recoverDeliveries } from '../../src/connection/recover-deliveries.js';
import { recordAudit } from '../../src/connection/installation-rows.js';
import { openStore, type Store } from '../../src/store/database.js';
import { example } from '../../fixtures/index.js';
import { githubApi, useGitHubMock } from '../helpers/github-mock.js';
import { createPostgresStore } from '../helpers/store.js';
import { waitForDisconnect } from './postgres-settle.js';
import { startKeel, type TestKeel } from '../helpers/keel.js';

useGitHubMock();

const NOW = Date.now();
const HOUR = 60 * 60 * 1000;
let keel: TestKeel;

beforeEach(async () => {
  keel = await startKeel({ plugins: [connectionPlugin({ background: false, githubRetries: 0 })] });
});
afterEach(() => keel.stop());

function attempt(overrides: Record<string, unknown> = {}) {
  return {
    id: 9001,
    guid: 'missed-guid-1',
    delivered_at: new Date(NOW - HOUR).toISOString(),
    redelivery: false,
    duration: 10.0,
    status: 'Invalid HTTP Response: 503',
    status_code: 503,
    event: 'pull_request',
    action: 'opened',
    installation_id: 42,
    repository_id: 1,
    throttled_at: null,
    ...overrides,
  };
}

function mockListing(items: object[], times = 1) {
  return githubApi().get('/app/hook/deliveries').query({ per_page: 100 }).times(times).reply(200, items);
}

async function recover(store: Store = keel.keel.store, stopping = () => false) {
  return recoverDeliveries({
    appOctokit: await keel.keel.probot.auth(),
    store,
    now: NOW,
    since: NOW - 3 * 24 * HOUR,
    apiHost: 'api.github.com',
    stopping,
  });
}

describe('recoverDeliveries', () => {
  it('asks GitHub to redeliver a failed delivery Keel never stored', async () => {
    mockListing([attempt()]).post('/app/hook/deliveries/9001/attempts').reply(202, {});
    expect(await recover()).toMatchObject({ scanned: 1, failed: 1, requested: 1, errors: [] });
  });

  it('asks only once across two runs', async () => {
    mockListing([attempt()], 2).post('/app/hook/deliveries/9001/attempts').once().reply(202, {});
    await recover();
    expect(await recover()).toMatchObject({ requested: 0, alreadyRequested: 1 });
  });

  it('asks only once when two processes sharing one store run at the same moment', async () => {
    mockListing([attempt()], 2).post('/app/hook/deliveries/9001/attempts').once().reply(202, {});
    const other = await openStore(keel.config.databaseUrl);
    try {
      const results = await Promise.all([recover(), recover(other)]);
      expect(results.map((result) => result.requested).sort()).toEqual([0, 1]);
    } finally {
      await other.close();
    }
  });

  it('does not redeliver a failed delivery that Keel stored', async () => {
    await keel.send('pull_request', example('pull_request.opened'), 'missed-guid-1');
    mockListing([attempt()]);
    expect(await recover()).toMatchObject({ failed: 1, stored: 1, requested: 0 });
  });

  it('skips a failed redelivery of a guid Keel already stored', async () => {
    await keel.send('pull_request', example('pull_request.opened'), 'missed-guid-1');
    mockListing([attempt({ id: 9002, redelivery: true }), attempt({ status: 'OK', status_code: 202 })]);
    expect(await recover()).toMatchObject({ requested: 0 });
  });

  it('leaves alone a delivery whose later attempt went through', async () => {
    mockListing([attempt({ id: 9002, redelivery: true, status: 'OK', status_code: 202 }), attempt()]);
    expect(await recover()).toMatchObject({ scanned: 1, failed: 0, requested: 0 });
  });

  it('counts a 2xx whose status is not OK as failed', async () => {
    mockListing([attempt({ status_code: 202, status: 'timed out' })])
      .post('/app/hook/deliveries/9001/attempts')
      .reply(202, {});
    expect(await recover()).toMatchObject({ failed: 1, requested: 1 });
  });

  it('redelivers the newest failed attempt of a delivery', async () => {
    mockListing([attempt({ id: 9005, redelivery: true, delivered_at: new Date(NOW - 1000).toISOString() }), attempt()])
      .post('/app/hook/deliveries/9005/attempts')
      .reply(202, {});
    expect(await recover()).toMatchObject({ requested: 1 });
  });

  it('does not bring back deliveries of an installation that was deleted', async () => {
    await recordAudit(keel.keel.store, {
      installationId: 42,
      actor: 'octocat',
      action: 'installation.deleted',
      at: NOW,
    });
    mockListing([attempt()]);
    expect(await recover()).toMatchObject({ failed: 1, uninstalled: 1, requested: 0 });
  });

  it('pages back no further than it was asked to', async () => {
    const next = '<https://api.github.com/app/hook/deliveries?per_page=100&cursor=abc>; rel="next"';
    const stillNext = '<https://api.github.com/app/hook/deliveries?per_page=100&cursor=def>; rel="next"';
    githubApi()
      .get('/app/hook/deliveries')
      .query({ per_page: 100 })
      .reply(200, [attempt({ status: 'OK', status_code: 202 })], { link: next })
      .get('/app/hook/deliveries')
      .query({ per_page: 100, cursor: 'abc' })
      .reply(200, [attempt({ id: 8000, guid: 'too-old', delivered_at: new Date(NOW - 4 * 24 * HOUR).toISOString() })], {
        link: stillNext,
      });
    expect(await recover()).toMatchObject({ pages: 2, scanned: 1, failed: 0, requested: 0 });
  });

  it('leaves the redeliveries to the next run when Keel is stopping, and says so', async () => {
    mockListing([attempt()]);
    expect(await recover(keel.keel.store, () => true)).toMatchObject({ failed: 1, requested: 0, interrupted: true });
  });

  it('reports a redelivery GitHub refused, and does not ask again', async () => {
    mockListing([attempt()], 2).post('/app/hook/deliveries/9001/attempts').reply(422, { message: 'Validation Failed' });
    const first = await recover();
    const second = await recover();
    expect([first.errors, second.alreadyRequested]).toEqual([
      [{ guid: 'missed-guid-1', message: 'GitHub refused the request: Validation Failed' }],
      1,
    ]);
  });
});

describe.skipIf(!process.env.TEST_DATABASE_URL)('recoverDeliveries on Postgres', () => {
  it('asks only once when two processes run at the same moment', async () => {
    const database = await createPostgresStore(process.env.TEST_DATABASE_URL ?? '');
    const other = await openStore(database.databaseUrl);
    try {
      mockListing([attempt()], 2).post('/app/hook/deliveries/9001/attempts').once().reply(202, {});
      const results = await Promise.all([recover(database.store), recover(other)]);
      expect(results.map((result) => result.requested).sort()).toEqual([0, 1]);
    } finally {
      await other.close();
      await database.store.close();
      await waitForDisconnect(database.databaseUrl);
      await database.cleanup();
    }
  });
});
