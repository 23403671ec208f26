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

  it('names the Postgres host and port it cannot connect to, and what to check', async () => {
    const opening = openStore('postgres://keel:secret-password@127.0.0.1:1/keel');
    await expect(opening).rejects.toBeInstanceOf(ConfigError);
    await expect(opening).rejects.toMatchObject({
      message: 'Cannot connect to Postgres at 127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1.',
      remedy: 'Check that Postgres runs at 127.0.0.1:1 and that this server may reach it (DATABASE_URL, firewall).',
    });
    await expect(opening).rejects.not.toMatchObject({ message: expect.stringContaining('secret-password') });
  });

  it.skipIf(!process.env.TEST_DATABASE_URL)('says to create a Postgres database that does not exist', async () => {
    const url = new URL(process.env.TEST_DATABASE_URL!);
    url.pathname = '/keel_never_created';
    const opening = openStore(url.toString());
    await expect(opening).rejects.toBeInstanceOf(ConfigError);
    await expect(opening).rejects.toMatchObject({
      message: `Database keel_never_created does not exist on the Postgres server at ${url.hostname}:${url.port || '5432'}.`,
      remedy:
        'Run createdb keel_never_created (as a user allowed to create databases), or fix the database name in DATABASE_URL.',
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
