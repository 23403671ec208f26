/** A fresh store per test: a SQLite file in a temporary directory, or a Postgres schema. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { openStore, type Store } from '../../src/store/database.js';

export interface TestStore {
  store: Store;
  databaseUrl: string;
  cleanup(): Promise<void>;
}

export async function createSqliteStore(): Promise<TestStore> {
  const directory = mkdtempSync(join(tmpdir(), 'keel-store-'));
  const databaseUrl = `file:${join(directory, 'keel.db')}`;
  const store = await openStore(databaseUrl);
  return {
    store,
    databaseUrl,
    async cleanup() {
      await store.close().catch(() => undefined);
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** An empty Postgres database of its own, in the server `baseUrl` points at. */
export async function createPostgresDatabase(baseUrl: string): Promise<{ databaseUrl: string; drop(): Promise<void> }> {
  const name = `keel_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    databaseUrl: url.toString(),
    async drop() {
      const dropper = new pg.Client({ connectionString: baseUrl });
      await dropper.connect();
      await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await dropper.end();
    },
  };
}

/** A migrated Postgres store in a database of its own. */
export async function createPostgresStore(baseUrl: string): Promise<TestStore> {
  const database = await createPostgresDatabase(baseUrl);
  const store = await openStore(database.databaseUrl);
  return {
    store,
    databaseUrl: database.databaseUrl,
    async cleanup() {
      await store.close().catch(() => undefined);
      await database.drop();
    },
  };
}
