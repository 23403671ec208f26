/**
 * Opens the store named by DATABASE_URL: SQLite in a file (the embedded default) or Postgres for
 * scale-out, behind one Kysely query layer, and brings its schema up to date.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import {
  DEFAULT_MIGRATION_TABLE,
  Kysely,
  Migrator,
  SqliteDialect,
  sql,
  type SqliteDatabase,
  type SqliteStatement,
} from 'kysely';
import { ConfigError } from '../errors.js';
import type { Dialect } from './migrations/columns.js';
import { createMigrationProvider } from './migrations/index.js';
import { explainPostgresError, openPostgres } from './postgres.js';
import { BACKSTOP_PAGES, startCheckpointer } from './sqlite-checkpointer.js';
import type { Database } from './schema.js';

export interface Store {
  db: Kysely<Database>;
  dialect: Dialect;
  /** Answers when the database does; used by /readyz. */
  ping(): Promise<void>;
  /**
   * Compares the migrations applied in the database with this Keel's list, and migrates again
   * when the schema is missing or behind (a database dropped and re-created empty).
   */
  checkSchema(): Promise<SchemaCheck>;
  /** What a database failure means, and the fix; see explainPostgresError. */
  explain(error: unknown): DatabaseProblem;
  /**
   * SQLite only: runs `work` on the database itself, synchronously, while holding Kysely's one
   * connection, so no other query (and no transaction of Kysely's) is under way meanwhile. For the
   * receiver's insert, which runs thousands of times a second and costs a third less this way
   * than through Kysely's query builder; every other query goes through `db`.
   */
  withSqlite?: <T>(work: (database: SQLite.Database) => T) => Promise<T>;
  close(): Promise<void>;
}

export type SchemaCheck = { ok: true; migrated: string[] } | { ok: false; reason: string; remedy: string };

export interface DatabaseProblem {
  /** Short and free of host names, fit for /readyz. */
  reason: string;
  message: string;
  remedy: string;
}

/** Runs `run`; a failure is reported to `onQueryError` (the schema re-check) and thrown as it was. */
function reportingFailure<T>(onQueryError: (error: unknown) => void, run: () => T): T {
  try {
    return run();
  } catch (error) {
    onQueryError(error);
    throw error;
  }
}

/**
 * Kysely prepares a statement for every query; better-sqlite3 statements can be reused, and the
 * inbox runs the same few queries thousands of times a second. Keep the most recent ones. A query
 * that fails (at prepare or at run) is reported to `onQueryError` and thrown as it was.
 */
function cacheStatements(
  database: SQLite.Database,
  onQueryError: (error: unknown) => void,
  capacity = 256,
): SqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  const reporting = <T>(run: () => T): T => reportingFailure(onQueryError, run);
  return {
    close: () => database.close(),
    prepare(query: string) {
      let statement = statements.get(query);
      if (statement) {
        statements.delete(query);
      } else {
        const prepared = reporting(() => database.prepare(query));
        statement = {
          reader: prepared.reader,
          all: (parameters) => reporting(() => prepared.all(parameters)),
          run: (parameters) => reporting(() => prepared.run(parameters)),
          iterate: (parameters) => reporting(() => prepared.iterate(parameters)),
        };
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

function explainSqliteError(error: unknown): DatabaseProblem {
  const detail = error instanceof Error ? error.message : String(error);
  return {
    reason: 'a query failed',
    message: `The SQLite database at DATABASE_URL failed: ${detail}.`,
    remedy:
      'Check that the directory of DATABASE_URL is writable, the disk is not full, and the file is a Keel database.',
  };
}

function openSqlite(
  path: string | undefined,
  onQueryError: (error: unknown) => void,
): { db: Kysely<Database>; database: SQLite.Database } {
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
  // No `log` option: Kysely would call it for every query; failures are caught where they happen.
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: cacheStatements(database, onQueryError) }),
  });
  return { db, database };
}

/** Runs raw work on the SQLite database while Kysely's connection is held (see Store.withSqlite). */
function holdingConnection(db: Kysely<Database>, database: SQLite.Database, onQueryError: (error: unknown) => void) {
  return <T>(work: (database: SQLite.Database) => T): Promise<T> =>
    db.connection().execute(async () => {
      // Kysely commits or rolls back before it lets go of the connection; this would be a bug.
      if (database.inTransaction) throw new Error('A transaction was left open on the SQLite connection.');
      return reportingFailure(onQueryError, () => work(database));
    });
}

export interface StoreTimeouts {
  /** Connecting to Postgres, including the wait for a free pooled connection. */
  connectMs: number;
  /** Any one statement on Postgres (the receiver's inserts, the console's reads). */
  statementMs: number;
  /** Any one statement of a migration. */
  migrationMs: number;
}

/**
 * For stores opened outside a Keel server (the CLI, scripts): lenient. A Keel server passes the
 * KEEL_DB_* settings, a few seconds by default, so its receiver answers GitHub in time.
 */
export const DEFAULT_STORE_TIMEOUTS: StoreTimeouts = { connectMs: 30_000, statementMs: 60_000, migrationMs: 300_000 };

export interface OpenStoreOptions {
  /**
   * A pooled Postgres connection failed (a restart, a failover, a termination, idle or in use).
   * The pool drops it and the next query connects anew; without a listener, Node would end the process.
   */
  onConnectionError?: (error: Error) => void;
  /** SQLite's background checkpoint failed (it is tried again a moment later). */
  onCheckpointError?: (message: string) => void;
  /** The schema was found missing or behind after start-up and migrated again. */
  onSchemaMigrated?: (migrations: string[]) => void;
  timeouts?: Partial<StoreTimeouts>;
}

/** A query failed because a table is gone: SQLite says so, Postgres answers 42P01. */
function isMissingTableError(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === '42P01' || (typeof message === 'string' && message.startsWith('no such table'));
}

/** Schema checks started by failing queries: one a second at most. */
const SCHEMA_RECHECK_MS = 1_000;

export async function openStore(databaseUrl: string, options: OpenStoreOptions = {}): Promise<Store> {
  const dialect: Dialect = databaseUrl.startsWith('file:') ? 'sqlite' : 'postgres';
  const timeouts = { ...DEFAULT_STORE_TIMEOUTS, ...options.timeouts };
  const path = dialect === 'sqlite' ? sqlitePath(databaseUrl) : undefined;
  const onConnectionError = options.onConnectionError ?? (() => undefined);
  const explain = (error: unknown): DatabaseProblem =>
    dialect === 'postgres' ? explainPostgresError(error, databaseUrl) : explainSqliteError(error);
  const onQueryError = (error: unknown) => recheckAfter(error);
  const sqlite = dialect === 'sqlite' ? openSqlite(path, onQueryError) : undefined;
  const db = sqlite?.db ?? openPostgres(databaseUrl, { timeouts, onConnectionError, onQueryError });
  // Migrations on Postgres get a connection of their own, with a timeout fit for a migration.
  const openMigrationDb = () =>
    dialect === 'sqlite'
      ? db
      : openPostgres(databaseUrl, {
          timeouts: { ...timeouts, statementMs: timeouts.migrationMs },
          onConnectionError,
          max: 1,
        });
  const migrationNames = Object.keys(await createMigrationProvider(dialect).getMigrations());

  async function migrate(): Promise<string[]> {
    const migrationDb = openMigrationDb();
    try {
      const { error, results = [] } = await new Migrator({
        db: migrationDb,
        provider: createMigrationProvider(dialect),
      }).migrateToLatest();
      if (error) {
        const failed = results.find((result) => result.status === 'Error')?.migrationName;
        const problem = explain(error);
        throw new ConfigError(
          failed
            ? `Cannot bring the database at DATABASE_URL up to date: migration ${failed} failed: ${
                error instanceof Error ? error.message : String(error)
              }.`
            : problem.message,
          problem.remedy,
          { cause: error },
        );
      }
      return results.map((result) => result.migrationName);
    } finally {
      if (migrationDb !== db) await migrationDb.destroy();
    }
  }

  let checking: Promise<SchemaCheck> | undefined;
  let lastCheck = 0;
  function checkSchema(): Promise<SchemaCheck> {
    checking ??= (async (): Promise<SchemaCheck> => {
      let applied: string[] = [];
      try {
        const { rows } = await sql<{ name: string }>`select name from ${sql.table(DEFAULT_MIGRATION_TABLE)}`.execute(
          db,
        );
        applied = rows.map((row) => row.name);
      } catch (error) {
        if (!isMissingTableError(error)) throw error;
      }
      const unknown = applied.filter((name) => !migrationNames.includes(name));
      if (unknown.length > 0) {
        return {
          ok: false,
          reason: `the database schema is newer than this Keel (migration ${unknown.join(', ')})`,
          remedy: 'Run the Keel version that migrated the database, or restore a backup taken before it.',
        };
      }
      if (applied.length === migrationNames.length) return { ok: true, migrated: [] };
      const migrated = await migrate();
      options.onSchemaMigrated?.(migrated);
      return { ok: true, migrated };
    })().finally(() => {
      checking = undefined;
      lastCheck = Date.now();
    });
    return checking;
  }

  /** A query hit a missing table: the schema may be gone, so check it (and migrate) soon. */
  function recheckAfter(error: unknown): void {
    if (!ready || !isMissingTableError(error) || checking || Date.now() - lastCheck < SCHEMA_RECHECK_MS) return;
    checkSchema().catch(() => undefined);
  }

  let ready = false;
  try {
    if (dialect === 'postgres') await sql`select 1`.execute(db);
    await migrate();
  } catch (error) {
    await db.destroy();
    if (error instanceof ConfigError) throw error;
    const problem = explain(error);
    throw new ConfigError(problem.message, problem.remedy, { cause: error });
  }
  ready = true;
  const checkpointer = path ? startCheckpointer(path, options.onCheckpointError ?? (() => undefined)) : undefined;
  let closing: Promise<void> | undefined;
  return {
    db,
    dialect,
    async ping() {
      await sql`select 1`.execute(db);
    },
    checkSchema,
    explain,
    ...(sqlite ? { withSqlite: holdingConnection(db, sqlite.database, onQueryError) } : {}),
    close() {
      closing ??= Promise.all([checkpointer?.stop(), db.destroy()]).then(() => undefined);
      return closing;
    },
  };
}
