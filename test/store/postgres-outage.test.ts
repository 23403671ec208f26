import { sql } from 'kysely';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/database.js';
import { createPostgresDatabase } from '../helpers/store.js';
import { startPartitionableProxy, type PartitionableProxy } from './partitionable-proxy.js';

describe.skipIf(!process.env.TEST_DATABASE_URL)('the Postgres store when the database goes away', () => {
  let database: Awaited<ReturnType<typeof createPostgresDatabase>>;
  const cleanups: (() => Promise<void>)[] = [];
  const dropped: Error[] = [];
  beforeEach(async () => {
    dropped.length = 0;
    database = await createPostgresDatabase(process.env.TEST_DATABASE_URL!);
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await database.drop();
  });

  async function open(url: string, timeouts = {}): Promise<Store> {
    const store = await openStore(url, { onConnectionError: (error) => dropped.push(error), timeouts });
    cleanups.push(() => store.close());
    return store;
  }

  async function terminateOtherConnections(): Promise<void> {
    const admin = new pg.Client({ connectionString: database.databaseUrl });
    await admin.connect();
    await admin.query(
      'select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
    );
    await admin.end();
  }

  it('survives Postgres terminating a connection in use, says so, and connects anew', async () => {
    const store = await open(database.databaseUrl);
    await store.db.connection().execute(async (connection) => {
      await sql`select 1`.execute(connection);
      await terminateOtherConnections();
      await expect.poll(() => dropped.length).toBeGreaterThan(0);
    });
    expect(dropped[0]?.message).toMatch(/terminat/);
    await store.ping();
  });

  it('cancels a statement that runs past the statement timeout, and says which setting to look at', async () => {
    const store = await open(database.databaseUrl, { statementMs: 100 });
    const failure = await sql`select pg_sleep(10)`.execute(store.db).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: '57014' });
    expect(store.explain(failure)).toMatchObject({ reason: 'a query ran past the statement timeout' });
    await store.ping();
  });

  describe('behind a network partition', () => {
    let proxy: PartitionableProxy;
    beforeEach(async () => {
      proxy = await startPartitionableProxy(database.databaseUrl);
      cleanups.push(() => proxy.close());
    });

    it('gives up on a query that gets no answer, and on connecting, instead of hanging', async () => {
      const store = await open(proxy.url, { connectMs: 200, statementMs: 200 });
      proxy.partition();
      const waiting = await store.ping().catch((error: unknown) => error);
      expect(store.explain(waiting)).toMatchObject({
        reason: 'no answer in time',
        message: expect.stringMatching(/^Cannot connect to Postgres at 127\.0\.0\.1:\d+: /),
      });
      const fresh = await Promise.all(
        [store.ping(), store.ping()].map((ping) => ping.catch((error: unknown) => error)),
      );
      for (const error of fresh) expect(store.explain(error).reason).toBe('no answer in time');
    });

    it('works again once the partition heals, without the connection that lost its answer', async () => {
      const store = await open(proxy.url, { connectMs: 200, statementMs: 200 });
      proxy.partition();
      await expect(store.ping()).rejects.toThrow('Query read timeout');
      proxy.heal();
      for (let round = 0; round < 12; round++) await store.ping();
    });
  });
});
