/**
 * Opens the store named by DATABASE_URL: SQLite in a file (the embedded default) or Postgres for
 * scale-out, behind one Kysely query layer, and brings its schema up to date.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type SqliteDatabase } from 'kysely';
import pg from 'pg';
import { ConfigError } from '../errors.js';
import type { Dialect } from './migrations/columns.js';
import { createMigrationProvider } from './migrations/index.js';
import { BACKSTOP_PAGES, startCheckpointer } from './sqlite-checkpointer.js';
import type { Database } from './schema.js';

export interface Store {
  db: Kysely<Database>;
  dialect: Dialect;
  /** Answers when the database does; used by /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

const BIGINT_OID = 20;

/**
 * Kysely prepares a statement for every query; better-sqlite3 statements can be reused, and the
 * inbox runs the same few queries thousands of times a second. Keep the most recent ones.
 */
function cacheStatements(database: SQLite.Database, capacity = 256): SqliteDatabase {
  const statements = new Map<string, SQLite.Statement>();
  return {
    close: () => database.close(),
    prepare(query: string) {
      let statement = statements.get(query);
      if (statement) {
        statements.delete(query);
      } else {
        statement = database.prepare(query);
        if (statements.size >= capacity) statements.delete(statements.keys().next().value as string);
      }
      statements.set(query, statement);
      return statement;
    },
  };
}

/** The SQLite file a `file:` DATABASE_URL names, or undefined for an in-memory database. */
function sqlitePath(url: string): string | undefined {
  const path = url.slice('file:'.length) || './data/keel.db';
  return path === ':memory:' ? undefined : resolve(path);
}

function openSqlite(path: string | undefined): Kysely<Database> {
  if (path) mkdirSync(dirname(path), { recursive: true });
  const database = new SQLite(path ?? ':memory:');
  // WAL lets readers (the console) work while the inbox writes; NORMAL sync in WAL mode survives
  // a process crash (only a power loss can drop the last commits), which is what the inbox promises.
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  // Checkpoints run in a thread of their own (sqlite-checkpointer.ts); this is the backstop.
  if (path) database.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: cacheStatements(database) }) });
}

export interface OpenStoreOptions {
  /**
   * A pooled Postgres connection failed while idle (a restart, a failover, a proxy timeout). The
   * pool drops it and the next query connects anew; without a listener, Node would end the process.
   */
  onConnectionError?: (error: Error) => void;
  /** SQLite's background checkpoint failed (it is tried again a moment later). */
  onCheckpointError?: (message: string) => void;
}

function openPostgres(url: string, { onConnectionError = () => undefined }: OpenStoreOptions): Kysely<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    // Epoch-millisecond columns are bigint; they fit a JS number, so read them as one.
    types: {
      getTypeParser: ((oid: number, format?: string) =>
        oid === BIGINT_OID
          ? (value: string) => Number(value)
          : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
  });
  pool.on('error', onConnectionError);
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

export async function openStore(databaseUrl: string, options: OpenStoreOptions = {}): Promise<Store> {
  const dialect: Dialect = databaseUrl.startsWith('file:') ? 'sqlite' : 'postgres';
  const path = dialect === 'sqlite' ? sqlitePath(databaseUrl) : undefined;
  const db = dialect === 'sqlite' ? openSqlite(path) : openPostgres(databaseUrl, options);
  const migrator = new Migrator({ db, provider: createMigrationProvider(dialect) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    await db.destroy();
    const failed = results?.find((result) => result.status === 'Error')?.migrationName ?? 'unknown';
    throw new ConfigError(
      `Cannot bring the database at DATABASE_URL up to date (migration ${failed} failed: ${
        error instanceof Error ? error.message : String(error)
      }).`,
      dialect === 'postgres'
        ? 'Check that DATABASE_URL names a reachable Postgres database and that its user may create tables.'
        : 'Check that the directory of DATABASE_URL is writable and that the file is a Keel database.',
      { cause: error },
    );
  }
  const checkpointer = path ? startCheckpointer(path, options.onCheckpointError ?? (() => undefined)) : undefined;
  let closing: Promise<void> | undefined;
  return {
    db,
    dialect,
    async ping() {
      await sql`select 1`.execute(db);
    },
    close() {
      closing ??= Promise.all([checkpointer?.stop(), db.destroy()]).then(() => undefined);
      return closing;
    },
  };
}
