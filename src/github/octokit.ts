/**
 * Keel's Octokit: Probot's (retry, throttling, pagination, config) plus the request guard and
 * request metrics. With REDIS_URL the throttling is shared by every Keel process through Redis,
 * so the cluster as a whole respects GitHub's limits.
 */
import Bottleneck from 'bottleneck';
import { Redis } from 'ioredis';
import type { Octokit, OctokitOptions } from '@octokit/core';
import { ProbotOctokit } from 'probot';
import type { KeelMetrics } from '../metrics.js';
import { statusOf } from './errors.js';
import { assertRequestAllowed } from './request-guard.js';

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

export interface KeelOctokitOptions {
  /** REST base URL; GraphQL goes to the matching /api/graphql on GHES. */
  baseUrl?: string;
  metrics?: KeelMetrics;
  redisUrl?: string;
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
}: KeelOctokitOptions = {}): KeelOctokitFactory {
  const redis = redisUrl ? new Redis(redisUrl, { maxRetriesPerRequest: 3, lazyConnect: false }) : undefined;
  const connection = redis ? new Bottleneck.IORedisConnection({ client: redis }) : undefined;
  const Octokit = ProbotOctokit.plugin(requestGuard, requestMetrics).defaults(
    (instanceOptions: Record<string, unknown>) => ({
      ...(baseUrl ? { baseUrl } : {}),
      ...instanceOptions,
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
      if (connection) await connection.disconnect();
      else if (redis) redis.disconnect();
    },
  };
}
