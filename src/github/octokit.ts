/**
 * Keel's Octokit: Probot's (retry, throttling, pagination, config) plus the request guard,
 * request metrics and a deadline on every request. With REDIS_URL the throttling is shared by
 * every Keel process through Redis, so the cluster as a whole respects GitHub's limits; while
 * Redis cannot be reached, requests fail (transient) instead of waiting on it forever.
 */
import Bottleneck from 'bottleneck';
import { Redis } from 'ioredis';
import type { Octokit, OctokitOptions } from '@octokit/core';
import type { Logger } from 'pino';
import { ProbotOctokit } from 'probot';
import type { KeelMetrics } from '../metrics.js';
import { GitHubError, statusOf } from './errors.js';
import { assertRequestAllowed } from './request-guard.js';

/** A GitHub request with no answer after this long fails as a timeout, which the inbox retries. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** How long a request waits for Redis (REDIS_URL) to connect before it fails. */
export const DEFAULT_LIMITER_WAIT_MS = 3_000;

export type KeelOctokitClass = typeof ProbotOctokit;
export type KeelOctokit = InstanceType<typeof ProbotOctokit>;

interface KeelPluginOptions {
  keelMetrics?: KeelMetrics;
  /** Label for rate-limit metrics: an installation id or "app". */
  keelActor?: string;
}

/** Refuses merges and writes outside keel/ branches before they are sent (see request-guard). */
export function requestGuard(octokit: Octokit): void {
  octokit.hook.before('request', (options) => {
    const { method, url, body } = octokit.request.endpoint.parse(options);
    assertRequestAllowed({ method, url, body });
  });
}

function requestMetrics(octokit: Octokit, options: OctokitOptions): void {
  const { keelMetrics: metrics, keelActor: actor = 'app' } = options as KeelPluginOptions;
  if (!metrics) return;
  octokit.hook.after('request', (response, request) => {
    metrics.githubRequests.inc({ method: request.method, status: String(response.status) });
    const remaining = Number(response.headers['x-ratelimit-remaining']);
    if (Number.isFinite(remaining)) metrics.rateLimitRemaining.set({ installation: actor }, remaining);
  });
  octokit.hook.error('request', (error, request) => {
    const status = statusOf(error);
    metrics.githubRequests.inc({ method: request.method, status: status === undefined ? 'error' : String(status) });
    throw error;
  });
}

/**
 * fetch with a deadline on each attempt (Octokit's retries each get a fresh one) and, optionally,
 * one shared deadline for a whole operation. An abort surfaces as a `timeout` GitHubError once
 * classified. Put it in an Octokit's `request.fetch`.
 */
export function createTimedFetch(timeoutMs: number, deadline?: AbortSignal): typeof fetch {
  return (input, init = {}) => {
    const signals = [
      AbortSignal.timeout(timeoutMs),
      ...(init.signal ? [init.signal] : []),
      ...(deadline ? [deadline] : []),
    ];
    // globalThis.fetch read at call time: test interceptors replace it.
    return globalThis.fetch(input, { ...init, signal: AbortSignal.any(signals) });
  };
}

/** `host:port` of a Redis URL, never its credentials. */
function describeRedis(redisUrl: string): string {
  try {
    const url = new URL(redisUrl);
    return `${url.hostname}:${url.port || '6379'}`;
  } catch {
    return 'REDIS_URL';
  }
}

/** Waits up to `waitMs` for Redis to be ready; false when it was not. */
function waitForRedis(redis: Redis, waitMs: number): Promise<boolean> {
  if (redis.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const onReady = () => {
      clearTimeout(timer);
      resolve(true);
    };
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      resolve(false);
    }, waitMs);
    redis.once('ready', onReady);
  });
}

/** Logs a Redis outage once (not every reconnect attempt) and its end. */
function watchRedis(redis: Redis, connection: Bottleneck.IORedisConnection, target: string, log?: Logger): void {
  let failing = false;
  connection.on('error', (error: unknown) => {
    if (failing) return;
    failing = true;
    const reason = error instanceof Error ? error.message : String(error);
    log?.error(
      { err: error },
      `Redis at ${target} (REDIS_URL) cannot be reached: ${reason}. GitHub requests fail until it can; check REDIS_URL and that Redis is up.`,
    );
  });
  redis.on('ready', () => {
    if (failing) log?.info(`Redis at ${target} is reachable again; GitHub requests resume`);
    failing = false;
  });
}

export interface KeelOctokitOptions {
  /** REST base URL; GraphQL goes to the matching /api/graphql on GHES. */
  baseUrl?: string;
  metrics?: KeelMetrics;
  redisUrl?: string;
  /** Deadline of each GitHub request attempt (default 30 s). An instance may pass its own `request.fetch`. */
  requestTimeoutMs?: number;
  /** How long a request waits for Redis to connect before failing (default 3 s). */
  limiterWaitMs?: number;
  /** For Redis errors (scrubbed: a Redis URL may hold a password). */
  log?: Logger;
  /**
   * Pace requests as GitHub asks (writes about a second apart, waits on rate limits). Only tests
   * that do not measure pacing turn it off, to run in milliseconds rather than seconds.
   */
  throttle?: boolean;
}

export interface KeelOctokitFactory {
  Octokit: KeelOctokitClass;
  close(): Promise<void>;
}

export function createKeelOctokit({
  baseUrl,
  metrics,
  redisUrl,
  throttle = true,
  requestTimeoutMs = DEFAULT_REQUEST_TIMEOUT_MS,
  limiterWaitMs = DEFAULT_LIMITER_WAIT_MS,
  log,
}: KeelOctokitOptions = {}): KeelOctokitFactory {
  const redis = redisUrl ? new Redis(redisUrl, { maxRetriesPerRequest: 3, lazyConnect: false }) : undefined;
  const connection = redis ? new Bottleneck.IORedisConnection({ client: redis }) : undefined;
  const target = redisUrl ? describeRedis(redisUrl) : '';
  if (redis && connection) watchRedis(redis, connection, target, log);

  /** Outermost wrap: with Redis down, the throttling plugin would wait on it forever. */
  function redisGate(octokit: Octokit): void {
    if (!redis || !throttle) return;
    octokit.hook.wrap('request', async (request, options) => {
      if (!(await waitForRedis(redis, limiterWaitMs))) {
        throw new GitHubError(
          'limiter-unavailable',
          `GitHub request not sent: Redis at ${target} (REDIS_URL), which paces GitHub requests across Keel processes, cannot be reached.`,
          'Check REDIS_URL and that Redis is up and reachable from this server; Keel retries the work once it is.',
        );
      }
      return request(options);
    });
  }

  const timedFetch = createTimedFetch(requestTimeoutMs);
  const Octokit = ProbotOctokit.plugin(requestGuard, requestMetrics, redisGate).defaults(
    (instanceOptions: Record<string, unknown>) => ({
      ...(baseUrl ? { baseUrl } : {}),
      ...instanceOptions,
      request: { fetch: timedFetch, ...(instanceOptions.request as object | undefined) },
      keelMetrics: metrics,
      ...(throttle ? {} : { throttle: { enabled: false } }),
      ...(throttle && connection
        ? {
            throttle: {
              ...(instanceOptions.throttle as object | undefined),
              Bottleneck,
              connection,
              id: 'keel',
            },
          }
        : {}),
    }),
  ) as KeelOctokitClass;
  return {
    Octokit,
    async close() {
      // QUIT waits for a connection that may never come: only flush to a Redis that is up.
      if (connection) await connection.disconnect(redis?.status === 'ready');
      else if (redis) redis.disconnect();
    },
  };
}
