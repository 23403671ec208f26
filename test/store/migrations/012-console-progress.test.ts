import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type Dialect as KyselyDialect } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../../src/store/database.js';
import type { Dialect } from '../../../src/store/migrations/columns.js';
import { createMigrationProvider } from '../../../src/store/migrations/index.js';
import { createPostgresDatabase } from '../../helpers/store.js';

interface Database {
  url: string;
  kysely: () => KyselyDialect;
  dialect: Dialect;
  drop(): Promise<void>;
}

function sqliteDatabase(): Database {
  const directory = mkdtempSync(join(tmpdir(), 'keel-migration-'));
  const path = join(directory, 'keel.db');
  return {
    url: `file:${path}`,
    kysely: () => new SqliteDialect({ database: new SQLite(path) }),
    dialect: 'sqlite',
    drop: async () => rmSync(directory, { recursive: true, force: true }),
  };
}

async function postgresDatabase(): Promise<Database> {
  const database = await createPostgresDatabase(process.env.TEST_DATABASE_URL!);
  return {
    url: database.databaseUrl,
    kysely: () => new PostgresDialect({ pool: new pg.Pool({ connectionString: database.databaseUrl }) }),
    dialect: 'postgres',
    drop: () => database.drop(),
  };
}

const AT = 1_764_500_000_000;

function report(checks: { name: string; status: string }[]): string {
  return JSON.stringify({ at: new Date(AT).toISOString(), state: 'connected', checks });
}

/** Three installations as Keel stored them before migration 012: two verified (one low on quota), one never. */
async function storeBefore(database: Database): Promise<void> {
  const db = new Kysely<unknown>({ dialect: database.kysely() });
  try {
    const { error } = await new Migrator({ db, provider: createMigrationProvider(database.dialect) }).migrateTo(
      '011-commands',
    );
    if (error) throw error;
    for (const id of [1, 2, 3]) {
      await sql`insert into installations (id, account_login, account_type, account_id, repository_selection, permissions, events, state, created_at, updated_at)
        values (${id}, ${`org-${id}`}, 'Organization', ${id * 10}, 'all', '{}', '[]', 'connected', ${AT}, ${AT})`.execute(
        db,
      );
    }
    const reports: [number, number, string][] = [
      [1, AT - 60_000, report([{ name: 'rate-limit', status: 'warn' }])],
      [1, AT, report([{ name: 'rate-limit', status: 'pass' }])],
      [2, AT - 5_000, report([{ name: 'rate-limit', status: 'warn' }])],
    ];
    for (const [installationId, at, json] of reports) {
      await sql`insert into reports (installation_id, at, state, report) values (${installationId}, ${at}, 'connected', ${json})`.execute(
        db,
      );
    }
  } finally {
    await db.destroy();
  }
}

const dialects: [string, () => Promise<Database>, boolean][] = [
  ['SQLite', async () => sqliteDatabase(), false],
  ['Postgres', postgresDatabase, !process.env.TEST_DATABASE_URL],
];

describe.each(dialects)('migration 012 (console progress) on %s', (_name, create, skip) => {
  let database: Database | undefined;
  let store: Store | undefined;
  afterEach(async () => {
    await store?.close();
    await database?.drop();
    store = undefined;
    database = undefined;
  });

  it.skipIf(skip)('fills each installation’s last verification and low quota from its latest report', async () => {
    database = await create();
    await storeBefore(database);
    store = await openStore(database.url);
    const rows = await store.db
      .selectFrom('installations')
      .select(['id', 'verified_at', 'rate_limited'])
      .orderBy('id')
      .execute();
    expect(
      rows.map((row) => [
        Number(row.id),
        row.verified_at === null ? null : Number(row.verified_at),
        row.rate_limited === null ? null : Number(row.rate_limited),
      ]),
    ).toEqual([
      [1, AT, 0],
      [2, AT - 5_000, 1],
      [3, null, null],
    ]);
  });

  it.skipIf(skip)('creates the table the write round trip records its steps in', async () => {
    database = await create();
    await storeBefore(database);
    store = await openStore(database.url);
    await store.db
      .insertInto('write_checks')
      .values({
        id: 'run-1',
        installation_id: 1,
        repository: 'org-1/api',
        actor: 'octocat',
        steps: '[]',
        state: null,
        started_at: AT,
        updated_at: AT,
        finished_at: null,
      })
      .execute();
    expect(await store.db.selectFrom('write_checks').select(['id', 'repository']).execute()).toEqual([
      { id: 'run-1', repository: 'org-1/api' },
    ]);
  });
});
