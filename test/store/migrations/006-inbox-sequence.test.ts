import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type Dialect as KyselyDialect } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { getDelivery, insertDelivery, listDeliveries, readPayloads } from '../../../src/inbox/deliveries.js';
import { decodePayload } from '../../../src/inbox/payload-codec.js';
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

const RECEIVED_AT = 1_760_000_000_000;

/** An inbox as Keel stored it before migration 006: deflated payloads keyed by delivery id. */
async function storeBeforeSequence(database: Database, ids: string[]): Promise<void> {
  const db = new Kysely<unknown>({ dialect: database.kysely() });
  try {
    const { error } = await new Migrator({ db, provider: createMigrationProvider(database.dialect) }).migrateTo(
      '005-ci',
    );
    if (error) throw error;
    for (const id of ids) {
      await sql`insert into deliveries (id, event, action, installation_id, repository, status, attempts, received_at, next_attempt_at)
        values (${id}, 'issues', 'opened', 7, 'acme/app', 'queued', 0, ${RECEIVED_AT}, ${RECEIVED_AT})`.execute(db);
      const body = Buffer.from(JSON.stringify({ action: 'opened', delivery: id }));
      await sql`insert into delivery_payloads (id, payload) values (${id}, ${deflateRawSync(body)})`.execute(db);
    }
  } finally {
    await db.destroy();
  }
}

const dialects: [string, () => Promise<Database>, boolean][] = [
  ['SQLite', async () => sqliteDatabase(), false],
  ['Postgres', postgresDatabase, !process.env.TEST_DATABASE_URL],
];

describe.each(dialects)('migration 006 (inbox sequence) on %s', (_name, create, skip) => {
  let database: Database | undefined;
  let store: Store | undefined;
  afterEach(async () => {
    await store?.close();
    await database?.drop();
    store = undefined;
    database = undefined;
  });

  async function migrated(ids: string[]): Promise<Store> {
    database = await create();
    await storeBeforeSequence(database, ids);
    store = await openStore(database.url);
    return store;
  }

  it.skipIf(skip)('keeps every stored delivery, and its deflated payload stays readable', async () => {
    const store = await migrated(['b-first', 'a-second']);
    const rows = await listDeliveries(store, { limit: 10 });
    const payloads = await readPayloads(
      store,
      rows.map((row) => row.seq),
    );
    expect(rows.map((row) => [row.id, decodePayload(payloads.get(row.seq)!)])).toEqual(
      expect.arrayContaining([
        ['b-first', { action: 'opened', delivery: 'b-first' }],
        ['a-second', { action: 'opened', delivery: 'a-second' }],
      ]),
    );
  });

  it.skipIf(skip)('stores new deliveries after the old ones, newest first, with LZ4 payloads', async () => {
    const store = await migrated(['old']);
    const body = Buffer.from(JSON.stringify({ action: 'created' }));
    for (const id of ['z-new', 'a-newer']) {
      await insertDelivery(store, {
        id,
        event: 'issue_comment',
        action: 'created',
        installationId: 7,
        repository: 'acme/app',
        payload: body,
        status: 'queued',
        receivedAt: RECEIVED_AT + 1,
      });
    }
    const rows = await listDeliveries(store, { limit: 10 });
    const newest = (await readPayloads(store, [rows[0]!.seq])).get(rows[0]!.seq);
    expect([rows.map((row) => row.id), newest?.codec, decodePayload(newest!)]).toEqual([
      ['a-newer', 'z-new', 'old'],
      'lz4',
      { action: 'created' },
    ]);
  });

  it.skipIf(skip)('deletes a payload with its delivery', async () => {
    const store = await migrated(['gone', 'kept']);
    await store.db.deleteFrom('deliveries').where('id', '=', 'gone').execute();
    const kept = await getDelivery(store, 'kept');
    const payloads = await store.db.selectFrom('delivery_payloads').select('delivery_seq').execute();
    expect(payloads.map((row) => row.delivery_seq)).toEqual([kept?.seq]);
  });
});
