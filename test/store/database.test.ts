import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/database.js';
import { ConfigError } from '../../src/errors.js';
import { createPostgresDatabase, createSqliteStore, type TestStore } from '../helpers/store.js';

describe('the store', () => {
  let testStore: TestStore | undefined;
  const extra: Store[] = [];
  afterEach(async () => {
    for (const store of extra.splice(0)) await store.close();
    await testStore?.cleanup();
    testStore = undefined;
  });

  it('creates the SQLite file and its schema on first open, and opens it again unchanged', async () => {
    testStore = await createSqliteStore();
    const again = await openStore(testStore.databaseUrl);
    extra.push(again);
    const tables = await again.db.introspection.getTables();
    expect(tables.map((table) => table.name)).toEqual(
      expect.arrayContaining(['deliveries', 'delivery_payloads', 'installations', 'reports', 'audit']),
    );
  });

  it('says what to check when the database cannot be reached', async () => {
    const opening = openStore('postgres://keel@127.0.0.1:1/keel');
    await expect(opening).rejects.toBeInstanceOf(ConfigError);
    await expect(opening).rejects.toMatchObject({
      remedy: 'Check that DATABASE_URL names a reachable Postgres database and that its user may create tables.',
    });
  });

  it.skipIf(!process.env.TEST_DATABASE_URL)(
    'lets several processes start at once on a fresh Postgres database',
    async () => {
      const database = await createPostgresDatabase(process.env.TEST_DATABASE_URL!);
      try {
        const racers = await Promise.all(Array.from({ length: 4 }, () => openStore(database.databaseUrl)));
        extra.push(...racers);
        for (const store of racers) await store.ping();
        for (const store of extra.splice(0)) await store.close();
      } finally {
        await database.drop();
      }
    },
  );

  it.skipIf(!process.env.TEST_DATABASE_URL)(
    'survives Postgres dropping its idle connections (a restart, a failover), and says so',
    async () => {
      const database = await createPostgresDatabase(process.env.TEST_DATABASE_URL!);
      const dropped: Error[] = [];
      const store = await openStore(database.databaseUrl, { onConnectionError: (error) => dropped.push(error) });
      try {
        await store.ping();
        const admin = new pg.Client({ connectionString: database.databaseUrl });
        await admin.connect();
        await admin.query(
          'select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
        );
        await admin.end();
        await expect.poll(() => dropped.length).toBeGreaterThan(0);
        expect(dropped[0]?.message).toContain('terminating connection');
        await store.ping();
      } finally {
        await store.close();
        await database.drop();
      }
    },
  );
});
