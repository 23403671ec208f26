import { sql } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/database.js';
import { createMigrationProvider } from '../../src/store/migrations/index.js';
import { createPostgresDatabase, createSqliteStore } from '../helpers/store.js';

const latest = Object.keys(await createMigrationProvider('sqlite').getMigrations());

async function tableNames(store: Store): Promise<string[]> {
  return (await store.db.introspection.getTables({ withInternalKyselyTables: true })).map((table) => table.name);
}

describe('the schema, checked after start-up', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function sqliteStore(): Promise<Store> {
    const testStore = await createSqliteStore();
    cleanups.push(() => testStore.cleanup());
    return testStore.store;
  }

  async function dropEveryTable(store: Store): Promise<void> {
    await sql`pragma foreign_keys = off`.execute(store.db);
    for (const name of await tableNames(store)) await sql`drop table ${sql.table(name)}`.execute(store.db);
    await sql`pragma foreign_keys = on`.execute(store.db);
  }

  it('is current right after opening', async () => {
    const store = await sqliteStore();
    expect(await store.checkSchema()).toEqual({ ok: true, migrated: [] });
  });

  it('migrates again when the tables are gone (SQLite), and the store works again', async () => {
    const store = await sqliteStore();
    await dropEveryTable(store);
    await expect(store.db.selectFrom('deliveries').selectAll().execute()).rejects.toThrow('no such table');
    expect(await store.checkSchema()).toEqual({ ok: true, migrated: latest });
    expect(await store.db.selectFrom('deliveries').selectAll().execute()).toEqual([]);
  });

  it('migrates again by itself once a query finds a table missing', async () => {
    const migrated: string[][] = [];
    const testStore = await createSqliteStore();
    cleanups.push(() => testStore.cleanup());
    const store = await openStore(testStore.databaseUrl, { onSchemaMigrated: (names) => migrated.push(names) });
    cleanups.push(() => store.close());
    await dropEveryTable(store);
    await expect(store.db.selectFrom('deliveries').selectAll().execute()).rejects.toThrow('no such table');
    await expect.poll(() => migrated).toEqual([latest]);
    expect(await store.db.selectFrom('deliveries').selectAll().execute()).toEqual([]);
  });

  it('is not current when a newer Keel migrated the database, and says what to do', async () => {
    const store = await sqliteStore();
    await sql`insert into kysely_migration (name, timestamp) values ('999-from-the-future', '2030-01-01')`.execute(
      store.db,
    );
    expect(await store.checkSchema()).toEqual({
      ok: false,
      reason: 'the database schema is newer than this Keel (migration 999-from-the-future)',
      remedy: 'Run the Keel version that migrated the database, or restore a backup taken before it.',
    });
  });

  it.skipIf(!process.env.TEST_DATABASE_URL)(
    'migrates again when a Postgres database was dropped and re-created empty',
    async () => {
      const database = await createPostgresDatabase(process.env.TEST_DATABASE_URL!);
      cleanups.push(() => database.drop());
      const store = await openStore(database.databaseUrl, { onConnectionError: () => undefined });
      cleanups.push(() => store.close());
      const name = new URL(database.databaseUrl).pathname.slice(1);
      const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
      await admin.connect();
      await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
      await admin.query(`CREATE DATABASE ${name}`);
      await admin.end();
      await expect(store.db.selectFrom('deliveries').selectAll().execute()).rejects.toThrow();
      expect(await store.checkSchema()).toMatchObject({ ok: true, migrated: latest });
      expect(await store.db.selectFrom('deliveries').selectAll().execute()).toEqual([]);
    },
  );
});
