/**
 * The Postgres side of the store: a pool whose every connection has an error listener and
 * timeouts, so a database that goes away (terminated, failed over, partitioned) costs a few
 * seconds of 503s rather than a crashed or hung process.
 */
import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';

const BIGINT_OID = 20;
/** A transaction left open this long is ended by Postgres: nobody keeps locks for a stuck process. */
const IDLE_IN_TRANSACTION_MS = 60_000;

export interface PostgresTimeouts {
  /** Connecting, including the wait for a free connection in the pool. */
  connectMs: number;
  /** Postgres cancels any statement running longer; Keel stops waiting for an answer 1 s later. */
  statementMs: number;
}

export interface OpenPostgresOptions {
  timeouts: PostgresTimeouts;
  /** A pooled connection failed (a restart, a failover, a termination); the pool replaces it. */
  onConnectionError: (error: Error) => void;
  /** Any query failed. */
  onQueryError?: (error: unknown) => void;
  max?: number;
}

/** pg's own message when `query_timeout` passes without an answer (a partition, a dead server). */
const QUERY_READ_TIMEOUT = 'Query read timeout';

/**
 * Kysely's view of the pool. A connection whose query got no answer in time is destroyed on
 * release: its socket still waits for that answer and would stall every query after it.
 */
function wrapPool(pool: pg.Pool, onQueryError: (error: unknown) => void): PostgresPool {
  return {
    async connect(): Promise<PostgresPoolClient> {
      const client = await pool.connect();
      let broken: Error | undefined;
      const query = ((text: unknown, parameters?: readonly unknown[]) => {
        if (typeof text !== 'string') return client.query(text as pg.Submittable);
        // Anything sent after it (a ROLLBACK) would wait as long again: fail it at once.
        if (broken) return Promise.reject(broken);
        return client.query(text, parameters as unknown[]).catch((error: unknown) => {
          if (error instanceof Error && error.message === QUERY_READ_TIMEOUT) broken = error;
          onQueryError(error);
          throw error;
        });
      }) as unknown as PostgresPoolClient['query'];
      return { query, release: () => client.release(broken) };
    },
    end: () => pool.end(),
  };
}

export function openPostgres(
  url: string,
  { timeouts, onConnectionError, onQueryError = () => undefined, max = 10 }: OpenPostgresOptions,
): Kysely<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    application_name: 'keel',
    connectionTimeoutMillis: timeouts.connectMs,
    statement_timeout: timeouts.statementMs,
    query_timeout: timeouts.statementMs + 1_000,
    idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_MS,
    keepAlive: true,
    // Epoch-millisecond columns are bigint; they fit a JS number, so read them as one.
    types: {
      getTypeParser: ((oid: number, format?: string) =>
        oid === BIGINT_OID
          ? (value: string) => Number(value)
          : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
  });
  // The pool listens on idle connections only; a connection in use that Postgres terminates
  // emits 'error' too, and an 'error' nobody listens to ends the process.
  pool.on('error', onConnectionError);
  pool.on('connect', (client) => client.on('error', onConnectionError));
  // No `log` option: Kysely would call it for every query; failures are caught in wrapPool.
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool: wrapPool(pool, onQueryError) }) });
}

export interface PostgresTarget {
  host: string;
  port: string;
  database: string;
  user: string;
}

/** Where DATABASE_URL points, for messages: never the password. */
export function readPostgresTarget(url: string): PostgresTarget {
  const parsed = new URL(url);
  return {
    host: parsed.hostname || 'localhost',
    port: parsed.port || '5432',
    database: decodeURIComponent(parsed.pathname.slice(1)) || decodeURIComponent(parsed.username) || 'postgres',
    user: decodeURIComponent(parsed.username) || 'postgres',
  };
}

export interface PostgresProblem {
  /** Short and free of host names, for /readyz. */
  reason: string;
  /** For the log and start-up errors: names host:port and database. */
  message: string;
  remedy: string;
}

function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT']);

/** Says what a Postgres failure means and what to do about it. */
export function explainPostgresError(error: unknown, url: string): PostgresProblem {
  const { host, port, database, user } = readPostgresTarget(url);
  const at = `${host}:${port}`;
  const code = errorCode(error);
  const detail = error instanceof Error ? error.message : String(error);
  if (code === '3D000') {
    return {
      reason: 'the database does not exist',
      message: `Database ${database} does not exist on the Postgres server at ${at}.`,
      remedy: `Run createdb ${database} (as a user allowed to create databases), or fix the database name in DATABASE_URL.`,
    };
  }
  if (code === '28P01' || code === '28000') {
    return {
      reason: 'it refused the credentials',
      message: `Postgres at ${at} refused user ${user}: ${detail}.`,
      remedy: 'Check the user name and password in DATABASE_URL.',
    };
  }
  if (code === '42501') {
    return {
      reason: 'its user lacks a privilege',
      message: `Postgres at ${at} refused user ${user}: ${detail}.`,
      remedy: `Let ${user} create tables: GRANT CREATE ON SCHEMA public TO ${user}.`,
    };
  }
  if (code === '57014') {
    return {
      reason: 'a query ran past the statement timeout',
      message: `A query on the Postgres server at ${at} ran past KEEL_DB_STATEMENT_TIMEOUT_MS: ${detail}.`,
      remedy:
        'Check the load on Postgres (locks, slow disks); raise KEEL_DB_STATEMENT_TIMEOUT_MS if queries are merely slow.',
    };
  }
  const timedOut = code === 'ETIMEDOUT' || /timeout|timed out/i.test(detail);
  if ((code && UNREACHABLE.has(code)) || timedOut || /terminat|ECONNRESET|closed/i.test(detail)) {
    return {
      reason: timedOut ? 'no answer in time' : 'connection refused or closed',
      message: `Cannot connect to Postgres at ${at}: ${detail}.`,
      remedy: `Check that Postgres runs at ${at} and that this server may reach it (DATABASE_URL, firewall).`,
    };
  }
  return {
    reason: 'a query failed',
    message: `Postgres at ${at} failed: ${detail}.`,
    remedy: 'See the Postgres server log for this error.',
  };
}
