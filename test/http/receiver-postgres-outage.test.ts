/**
 * Keel on a real Postgres that goes away under it: connections terminated mid-work (a failover,
 * pg_terminate_backend), and a network partition. The process must survive, answer 503 while
 * the database is away, and store deliveries again once it is back, without a restart.
 */
import { sql } from 'kysely';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { example } from '../../fixtures/index.js';
import { listDeliveries } from '../../src/inbox/deliveries.js';
import { githubApi, useGitHubMock } from '../helpers/github-mock.js';
import { startKeel, TEST_APP_ID, type TestKeel } from '../helpers/keel.js';
import { createPostgresDatabase } from '../helpers/store.js';
import { startPartitionableProxy, type PartitionableProxy } from '../store/partitionable-proxy.js';

useGitHubMock();

describe.skipIf(!process.env.TEST_DATABASE_URL)('the receiver on Postgres when the database goes away', () => {
  let database: Awaited<ReturnType<typeof createPostgresDatabase>>;
  let keel: TestKeel | undefined;
  let proxy: PartitionableProxy | undefined;
  beforeEach(async () => {
    database = await createPostgresDatabase(process.env.TEST_DATABASE_URL!);
  });
  afterEach(async () => {
    proxy?.heal();
    await keel?.stop();
    await proxy?.close();
    keel = undefined;
    proxy = undefined;
    await database.drop();
  });

  const storedIds = async (testKeel: TestKeel) =>
    (await listDeliveries(testKeel.keel.store, { limit: 100 })).map((row) => row.id).sort();

  it('survives Postgres terminating connections in use by handlers, and stores the next deliveries', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let started = 0;
    keel = await startKeel({
      env: { DATABASE_URL: database.databaseUrl },
      appFunctions: [
        (app) => {
          app.on('pull_request', async () => {
            // A handler in the middle of a transaction: its connection is checked out of the pool.
            await keel!.keel.store.db.transaction().execute(async (trx) => {
              await sql`select 1`.execute(trx);
              started++;
              await held;
              await sql`select 1`.execute(trx);
            });
          });
        },
      ],
    });
    // Three pull requests: each runs apart from the others, on a connection of its own.
    const first = await Promise.all(
      [1, 2, 3].map((number) => {
        const payload = example('pull_request.opened');
        payload.pull_request.number = number;
        payload.number = number;
        return keel!.send('pull_request', payload, `before-${number}`);
      }),
    );
    expect(first.map((response) => response.status)).toEqual([202, 202, 202]);
    await expect.poll(() => started).toBe(3);

    const admin = new pg.Client({ connectionString: database.databaseUrl });
    await admin.connect();
    await admin.query(
      'select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
    );
    await admin.end();
    await expect
      .poll(() => keel!.logs.filter((line) => line.includes('A Postgres connection failed')).length)
      .toBeGreaterThanOrEqual(3);
    release();

    const after = await Promise.all(['a', 'b', 'c'].map((id) => keel!.send('push', example('push'), `after-${id}`)));
    expect(after.map((response) => response.status)).toEqual([202, 202, 202]);
    expect(await storedIds(keel)).toEqual(['after-a', 'after-b', 'after-c', 'before-1', 'before-2', 'before-3']);
  });

  it('answers 503 during a network partition instead of hanging, says why in /readyz, and recovers by itself', async () => {
    proxy = await startPartitionableProxy(database.databaseUrl);
    keel = await startKeel({
      env: { DATABASE_URL: proxy.url, KEEL_DB_CONNECT_TIMEOUT_MS: '300', KEEL_DB_STATEMENT_TIMEOUT_MS: '300' },
      worker: { pollMs: 60_000 },
    });
    githubApi().get('/app').reply(200, { id: TEST_APP_ID, name: 'Keel' });
    expect((await keel.send('push', example('push'), 'before')).status).toBe(202);

    proxy.partition();
    const during = await keel.send('push', example('push'), 'during');
    expect(during.status).toBe(503);
    expect(await during.json()).toEqual({ error: 'Could not store the delivery; redeliver it later.' });
    const ready = await fetch(`${keel.url}/readyz`);
    expect(ready.status).toBe(503);
    const text = await ready.text();
    expect(JSON.parse(text)).toMatchObject({
      checks: [
        { name: 'store', ok: false, detail: 'the database does not answer: no answer in time' },
        { name: 'github', ok: true },
      ],
    });
    expect(text).not.toContain('127.0.0.1');

    proxy.heal();
    await expect.poll(async () => (await keel!.send('push', example('push'), 'after')).status).toBe(202);
    expect(await storedIds(keel)).toEqual(['after', 'before']);
  });
});
