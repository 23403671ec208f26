import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { example } from '../../fixtures/index.js';
import { githubApi, useGitHubMock } from '../helpers/github-mock.js';
import { startKeel, TEST_APP_ID, type TestKeel } from '../helpers/keel.js';

useGitHubMock();

const METRICS_TOKEN = 'test-metrics-token-0123456789';

function mockGetApp(base?: string) {
  return githubApi(base).get('/app').reply(200, { id: TEST_APP_ID, slug: 'keel', name: 'Keel' });
}

describe('operations endpoints', () => {
  let keel: TestKeel | undefined;
  afterEach(async () => {
    await keel?.stop();
    keel = undefined;
  });

  async function start(env: Record<string, string> = {}): Promise<TestKeel> {
    // A pull_request handler, so the deliveries these tests send are run (with none, they are ignored).
    keel = await startKeel({ env, appFunctions: [(app) => app.on('pull_request', async () => undefined)] });
    return keel;
  }

  const readyz = async (url: string) => {
    const response = await fetch(`${url}/readyz`);
    return { status: response.status, body: (await response.json()) as { status: string; checks: unknown[] } };
  };

  it('answers /healthz', async () => {
    const { url } = await start();
    const response = await fetch(`${url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  describe('/readyz', () => {
    it('is ready when the store answers at the latest schema and GitHub accepts the app, asking GitHub once a minute', async () => {
      const { url } = await start();
      mockGetApp();
      const first = await readyz(url);
      expect(first).toEqual({
        status: 200,
        body: {
          status: 'ready',
          checks: [
            { name: 'store', ok: true, detail: 'sqlite answers' },
            { name: 'schema', ok: true, detail: 'at the latest migration' },
            { name: 'github', ok: true, detail: `api.github.com accepts the credentials of app ${TEST_APP_ID} (Keel)` },
          ],
        },
      });
      // Answered from the minute-long cache: a second GET /app would be an unmatched request.
      expect(await readyz(url)).toEqual(first);
    });

    it('is not ready when GitHub refuses the app credentials (a wrong APP_ID or private key), and says which to fix', async () => {
      const { url } = await start({ APP_ID: '9999' });
      githubApi().get('/app').reply(401, { message: 'A JSON web token could not be decoded' });
      const { status, body } = await readyz(url);
      expect(status).toBe(503);
      expect(body.checks).toContainEqual({
        name: 'github',
        ok: false,
        detail: "GitHub rejected Keel's credentials: A JSON web token could not be decoded",
        remedy:
          'Check APP_ID and PRIVATE_KEY: they must belong to the same GitHub App; generate a new private key in the app settings if unsure.',
      });
    });

    it('is not ready when the GitHub Enterprise Server host does not answer, and names the host', async () => {
      const { url } = await start({ GHE_HOST: 'ghe.example.com' });
      githubApi('https://ghe.example.com/api/v3')
        .get('/app')
        .replyWithError(Object.assign(new Error('connect ECONNREFUSED 10.0.0.7:443'), { code: 'ECONNREFUSED' }));
      const { status, body } = await readyz(url);
      expect(status).toBe(503);
      expect(body.checks).toContainEqual({
        name: 'github',
        ok: false,
        detail: 'Connection to ghe.example.com failed (ECONNREFUSED).',
        remedy: 'Make sure ghe.example.com is up and that this server may reach it on port 443 (firewall, proxy).',
      });
    });

    it('checks Redis when REDIS_URL is set, and is not ready while it does not answer', async () => {
      const { url } = await start({ REDIS_URL: 'redis://127.0.0.1:1' });
      mockGetApp();
      const { status, body } = await readyz(url);
      expect(status).toBe(503);
      expect(body.checks).toContainEqual({
        name: 'redis',
        ok: false,
        detail: 'Redis (REDIS_URL) does not answer: ECONNREFUSED',
        remedy:
          "Check REDIS_URL, and that Redis runs and this server may reach it: Keel's GitHub request throttling waits on it.",
      });
    });

    it('is not ready once the store is gone, and keeps where the database is out of the answer', async () => {
      const testKeel = await start();
      mockGetApp();
      await testKeel.keel.store.close();
      const response = await fetch(`${testKeel.url}/readyz`);
      expect(response.status).toBe(503);
      const text = await response.text();
      expect(JSON.parse(text)).toMatchObject({
        status: 'not ready',
        checks: [
          {
            name: 'store',
            ok: false,
            detail: 'the database does not answer: a query failed',
            remedy: 'See the Keel log.',
          },
          { name: 'github', ok: true },
        ],
      });
      expect(text).not.toContain(testKeel.config.databaseUrl.slice('file:'.length));
      expect(testKeel.logs.some((line) => line.includes('/readyz: The SQLite database at DATABASE_URL failed'))).toBe(
        true,
      );
    });

    it('is not ready when a newer Keel migrated the database, and says what to do', async () => {
      const testKeel = await start();
      mockGetApp();
      await sql`insert into kysely_migration (name, timestamp) values ('999-from-the-future', '2030-01-01')`.execute(
        testKeel.keel.store.db,
      );
      const { status, body } = await readyz(testKeel.url);
      expect(status).toBe(503);
      expect(body.checks).toContainEqual({
        name: 'schema',
        ok: false,
        detail: 'the database schema is newer than this Keel (migration 999-from-the-future)',
        remedy: 'Run the Keel version that migrated the database, or restore a backup taken before it.',
      });
    });

    it('migrates the schema again by itself when its tables are dropped, and deliveries are stored again', async () => {
      const testKeel = await start();
      mockGetApp();
      const db = testKeel.keel.store.db;
      await sql`pragma foreign_keys = off`.execute(db);
      for (const table of await db.introspection.getTables({ withInternalKyselyTables: true })) {
        await sql`drop table ${sql.table(table.name)}`.execute(db);
      }
      await sql`pragma foreign_keys = on`.execute(db);
      // Whichever notices first, /readyz or a query that finds a table missing, migrates again.
      const { status, body } = await readyz(testKeel.url);
      expect(status).toBe(200);
      expect(body.checks).toContainEqual({ name: 'schema', ok: true, detail: expect.any(String) });
      await expect
        .poll(() => testKeel.logs.some((line) => line.includes('The database schema was missing or behind')))
        .toBe(true);
      expect((await testKeel.send('pull_request', example('pull_request.opened'), 'after-drop')).status).toBe(202);
      const deliveries = (await (await testKeel.api('/api/deliveries')).json()) as { id: string }[];
      expect(deliveries.map((delivery) => delivery.id)).toEqual(['after-drop']);
    });
  });

  describe('/metrics', () => {
    it('answers 401 with no KEEL_METRICS_TOKEN or KEEL_METRICS_PORT set, and says how to turn it on', async () => {
      const { url } = await start();
      const response = await fetch(`${url}/metrics`);
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({
        error: 'Metrics are off on this port.',
        remedy: 'Set KEEL_METRICS_TOKEN (scrape with Authorization: Bearer) or KEEL_METRICS_PORT, and restart Keel.',
      });
    });

    it('answers 401 without the KEEL_METRICS_TOKEN bearer token, or with a wrong one', async () => {
      const { url } = await start({ KEEL_METRICS_TOKEN: METRICS_TOKEN });
      const missing = await fetch(`${url}/metrics`);
      expect(missing.status).toBe(401);
      expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="keel-metrics"');
      const wrong = await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer not-the-metrics-token' } });
      expect(wrong.status).toBe(401);
    });

    it('serves deliveries, latency and inbox depth as Prometheus text to the bearer of KEEL_METRICS_TOKEN', async () => {
      const testKeel = await start({ KEEL_METRICS_TOKEN: METRICS_TOKEN });
      await testKeel.send('pull_request', example('pull_request.opened'), 'm1');
      await testKeel.send('pull_request', example('pull_request.opened'), 'm1');
      await testKeel.keel.worker.idle();
      const response = await fetch(`${testKeel.url}/metrics`, {
        headers: { authorization: `Bearer ${METRICS_TOKEN}` },
      });
      expect(response.headers.get('content-type')).toContain('text/plain');
      const text = await response.text();
      expect(text).toContain('keel_deliveries_received_total{event="pull_request",outcome="accepted"} 1');
      expect(text).toContain('keel_deliveries_received_total{event="pull_request",outcome="duplicate"} 1');
      expect(text).toContain('keel_deliveries_processed_total{event="pull_request",outcome="processed"} 1');
      expect(text).toContain('keel_delivery_processing_seconds_count{event="pull_request"} 1');
      expect(text).toContain('keel_inbox_depth{status="queued"} 0');
      expect(text).toContain('# TYPE keel_github_requests_total counter');
    });

    it('moves to a listener of its own with KEEL_METRICS_PORT, and is gone from the main port', async () => {
      const testKeel = await start({ KEEL_METRICS_PORT: '0', KEEL_METRICS_HOST: '127.0.0.1' });
      const { port } = testKeel.keel.metricsServer!.address() as { port: number };
      const own = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(own.status).toBe(200);
      expect(await own.text()).toContain('# TYPE keel_deliveries_received_total counter');
      expect((await fetch(`${testKeel.url}/metrics`)).status).toBe(404);
    });
  });
});
