/** A fresh store per test: a SQLite file in a temporary directory, or a Postgres schema. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { openStore, type Store } from '../../src/store/database.js';
import { trackLeftover } from './leftovers.js';

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
export function createPostgresDatabase(baseUrl: string): Promise<{ databaseUrl: string; drop(): Promise<void> }> {
  return createDatabase(baseUrl);
}

/** A database of its own: empty, or a copy of `template`. */
async function createDatabase(
  baseUrl: string,
  template?: string,
): Promise<{ databaseUrl: string; drop(): Promise<void> }> {
  const name = `keel_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(template ? `CREATE DATABASE ${name} TEMPLATE ${template}` : `CREATE DATABASE ${name}`);
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

/**
 * A migrated Postgres store in a database of its own: a copy of the template the test run migrated
 * once (test/helpers/postgres-template.ts), or, without one, a new database migrated here.
 * `cleanup()` closes the store and drops the database in the background; the test file's end
 * waits for the drop (test/setup.ts), so a drop that fails still fails the file.
 */
export async function createPostgresStore(baseUrl: string): Promise<TestStore> {
  const database = await createDatabase(baseUrl, process.env.TEST_DATABASE_TEMPLATE);
  const store = await openStore(database.databaseUrl);
  return {
    store,
    databaseUrl: database.databaseUrl,
    async cleanup() {
      await store.close().catch(() => undefined);
      const dropping = database.drop();
      const untrack = trackLeftover({
        describe: `dropping ${database.databaseUrl}`,
        mustEndInFile: false,
        end: () => dropping,
      });
      dropping.then(untrack, () => undefined);
    },
  };
}
