/**
 * The checks behind /readyz: can Keel do its job right now? Each names the cause and the fix.
 * /readyz is public, so details that locate the infrastructure (the database's host and port,
 * Redis's) go to the log only.
 */
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { findErrorCode } from '../errors.js';
import type { Store } from '../store/database.js';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
  remedy?: string;
}

/** The store answers, then its schema is the one this Keel migrates to (migrating it again if it is gone). */
export async function checkStore(store: Store, log: Logger): Promise<Check[]> {
  try {
    await store.ping();
  } catch (error) {
    const problem = store.explain(error);
    log.warn({ err: error, remedy: problem.remedy }, `/readyz: ${problem.message}`);
    return [
      {
        name: 'store',
        ok: false,
        detail: `the database does not answer: ${problem.reason}`,
        remedy: 'See the Keel log.',
      },
    ];
  }
  const answers: Check = { name: 'store', ok: true, detail: `${store.dialect} answers` };
  try {
    const schema = await store.checkSchema();
    if (!schema.ok) return [answers, { name: 'schema', ok: false, detail: schema.reason, remedy: schema.remedy }];
    const detail =
      schema.migrated.length > 0
        ? `was missing or behind; migrated again (${schema.migrated.length} migrations)`
        : 'at the latest migration';
    return [answers, { name: 'schema', ok: true, detail }];
  } catch (error) {
    log.warn({ err: error }, '/readyz: could not check or migrate the database schema');
    return [
      answers,
      {
        name: 'schema',
        ok: false,
        detail: 'the schema is not at the latest migration and migrating it failed',
        remedy: 'See the Keel log; restarting Keel runs the migrations again and prints why they fail.',
      },
    ];
  }
}

/**
 * What the connection verifier's app-credentials check found (`GET /app` with the app's JWT): the
 * same finding and remedy `keel verify` shows, written in one place (checkAppCredentials).
 */
export interface AppCredentialsFinding {
  status: 'pass' | 'warn' | 'fail' | 'skip';
  finding: string;
  remedy: string;
  kind?: string | undefined;
}

export interface GitHubCheckOptions {
  /** Runs the verifier's app-credentials check: proves APP_ID and PRIVATE_KEY belong to an app GitHub knows. */
  checkAppCredentials: () => Promise<AppCredentialsFinding>;
  log: Logger;
  cacheMs?: number;
  now?: () => number;
}

/**
 * The GitHub check, its answer kept `cacheMs` (a minute) so /readyz does not spend the rate limit.
 * /readyz shows the finding and its remedy, nothing more; why it failed (its kind) goes to the log.
 */
export function createGitHubCheck({ checkAppCredentials, log, cacheMs = 60_000, now = Date.now }: GitHubCheckOptions) {
  let cached: { at: number; check: Promise<Check> } | undefined;
  async function ask(): Promise<Check> {
    let result: AppCredentialsFinding;
    try {
      result = await checkAppCredentials();
    } catch (error) {
      log.warn({ err: error }, '/readyz: checking the app credentials against GitHub failed');
      return { name: 'github', ok: false, detail: 'the GitHub check failed', remedy: 'See the Keel log.' };
    }
    if (result.status === 'pass') return { name: 'github', ok: true, detail: result.finding };
    log.warn({ kind: result.kind, remedy: result.remedy }, `/readyz: ${result.finding}`);
    return { name: 'github', ok: false, detail: result.finding, remedy: result.remedy };
  }
  return function checkGitHub(): Promise<Check> {
    if (!cached || now() - cached.at >= cacheMs) cached = { at: now(), check: ask() };
    return cached.check;
  };
}

/** Connects to REDIS_URL afresh and sends PING; gives up after `timeoutMs`. */
export async function checkRedis(url: string, log: Logger, timeoutMs = 2_000): Promise<Check> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    enableReadyCheck: false,
    retryStrategy: () => null,
  });
  // The connection's own error (ECONNREFUSED…) says more than the "Connection is closed" that follows.
  let connectionError: unknown;
  client.on('error', (error) => (connectionError ??= error));
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.connect().then(() => client.ping()),
      new Promise((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { name: 'redis', ok: true, detail: 'Redis answers PING' };
  } catch (error) {
    const reason =
      findErrorCode(connectionError) ??
      findErrorCode(error) ??
      (error instanceof Error ? error.message : String(error));
    log.warn({ err: connectionError ?? error }, '/readyz: Redis at REDIS_URL does not answer a PING');
    return {
      name: 'redis',
      ok: false,
      detail: `Redis (REDIS_URL) does not answer: ${reason}`,
      remedy:
        "Check REDIS_URL, and that Redis runs and this server may reach it: Keel's GitHub request throttling waits on it.",
    };
  } finally {
    clearTimeout(timer);
    client.disconnect();
  }
}
