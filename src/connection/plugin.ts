/**
 * The connection capability: keeps every installation as GitHub's lifecycle events describe it,
 * verifies it (on install, unsuspend, accepted permissions, hourly, and on demand), discovers
 * hourly the installations whose events Keel never received, asks GitHub to redeliver what Keel
 * missed, and serves /api/installations and /api/redeliveries.
 */
import { Counter } from 'prom-client';
import { KeelError } from '../errors.js';
import type { KeelPlugin } from '../keel.js';
import { createBackgroundJobs, type BackgroundJob } from './background-jobs.js';
import { discoverInstallations, type DiscoveryResult } from './discover-installations.js';
import { viewOctokit } from './octokit-view.js';
import { countInstallationsByState, listInstallationIds } from './installation-reads.js';
import { appApi } from './app-api.js';
import { installationsApi } from './installations-api.js';
import { registerLifecycleHandlers } from './lifecycle-handlers.js';
import { GITHUB_DELIVERY_RETENTION_MS, recoverDeliveries } from './recover-deliveries.js';
import { redeliveriesApi } from './redeliveries-api.js';
import { verifyAppNow } from './verify-app-now.js';
import { createVerifier, INTERACTIVE_TIMEOUT_MS, limitRetries } from './verify-and-store.js';
import type { InstallationState } from './verify/types.js';

export interface ConnectionPluginOptions {
  /** Run the hourly verification and the missed-delivery sweep (default true). */
  background?: boolean;
  /** How often each process checks whether a background job is due (default 1 minute). */
  tickMs?: number;
  verifyEveryMs?: number;
  recoverEveryMs?: number;
  /** Retries per GitHub request for verification and recovery (Octokit's default, 3, when unset). */
  githubRetries?: number;
  /** Deadline per GitHub request when someone waits on a verification (API, CLI); no retries then. */
  interactiveTimeoutMs?: number;
}

export const VERIFY_JOB = 'connection:verify-installations';
export const RECOVER_JOB = 'connection:recover-deliveries';
const STATES: InstallationState[] = [
  'pending',
  'connected',
  'degraded',
  'suspended',
  'unauthorized',
  'unreachable',
  'uninstalled',
];
/** Look back this far before the previous sweep, for deliveries GitHub listed late. */
const SWEEP_OVERLAP_MS = 30 * 60 * 1000;

export function connectionPlugin(options: ConnectionPluginOptions = {}): KeelPlugin {
  const {
    background = true,
    tickMs = 60_000,
    verifyEveryMs = 60 * 60 * 1000,
    recoverEveryMs = 10 * 60 * 1000,
    githubRetries,
    interactiveTimeoutMs = INTERACTIVE_TIMEOUT_MS,
  } = options;
  return (services, http) => {
    const { store, probot, tokens, metrics, config } = services;
    const log = services.log.child({ name: 'connection' });
    const verify = createVerifier({ services: { ...services, log }, githubRetries });
    registerLifecycleHandlers({ probot, store, tokens, log, verify });

    const verifyNow = createVerifier({ services: { ...services, log }, interactiveTimeoutMs });
    http.route('/api/installations', installationsApi({ store, verify: verifyNow }));
    http.route('/api/app', appApi({ verifyApp: () => verifyAppNow(services, { timeoutMs: interactiveTimeoutMs }) }));
    http.route('/api/redeliveries', redeliveriesApi({ store, scheduleName: RECOVER_JOB }));

    metrics.collectOnScrape(async () => {
      const counts = await countInstallationsByState(store);
      for (const state of new Set<string>([...STATES, ...counts.keys()])) {
        metrics.installationsByState.set({ state }, counts.get(state) ?? 0);
      }
    });
    const redeliveries = new Counter({
      name: 'keel_redeliveries_total',
      help: 'Failed webhook deliveries Keel asked GitHub to send again, by outcome (requested, failed).',
      labelNames: ['outcome'],
      registers: [metrics.registry],
    });

    /** The app's client for one background run: its requests abort when Keel stops. */
    async function appClient(signal: AbortSignal) {
      return limitRetries(viewOctokit(await probot.auth(), { signal }), githubRetries);
    }

    /** New installations first, so this same run verifies them; a failure here stops no verification. */
    async function discover(signal: AbortSignal): Promise<DiscoveryResult | { error: string }> {
      try {
        const result = await discoverInstallations({
          appOctokit: await appClient(signal),
          store,
          now: Date.now,
          apiHost: config.githubHost,
        });
        if (result.discovered.length > 0) {
          log.info(
            { discovered: result.discovered },
            `Discovered ${result.discovered.length} installation(s) Keel had no event for`,
          );
        }
        return result;
      } catch (error) {
        if (signal.aborted) throw error;
        const reason = error instanceof KeelError ? `${error.message} Fix: ${error.remedy}` : String(error);
        log.error({ err: error }, `Could not list the app's installations; verifying the known ones: ${reason}`);
        return { error: error instanceof Error ? error.message : String(error) };
      }
    }

    const verifyJob: BackgroundJob = {
      name: VERIFY_JOB,
      everyMs: verifyEveryMs,
      async run({ stopping, signal }) {
        const discovery = await discover(signal);
        const states: Record<string, number> = {};
        for (const id of await listInstallationIds(store)) {
          if (stopping()) break;
          try {
            const report = await verify(id, { signal });
            if (report) states[report.state] = (states[report.state] ?? 0) + 1;
          } catch (error) {
            if (signal.aborted) break;
            log.error({ err: error, installation: id }, `Could not verify installation ${id}`);
          }
        }
        return { finished: !stopping(), result: { discovery, states } };
      },
    };
    const recoverJob: BackgroundJob = {
      name: RECOVER_JOB,
      everyMs: recoverEveryMs,
      runOnStart: true,
      async run({ startedAt, lastSuccessAt, stopping, signal }) {
        const oldest = startedAt - GITHUB_DELIVERY_RETENTION_MS;
        const since = lastSuccessAt === null ? oldest : Math.max(oldest, lastSuccessAt - SWEEP_OVERLAP_MS);
        const result = await recoverDeliveries({
          appOctokit: await appClient(signal),
          store,
          now: startedAt,
          since,
          apiHost: config.githubHost,
          onRedelivery: (outcome) => redeliveries.inc({ outcome }),
          stopping,
        });
        if (result.requested > 0 || result.errors.length > 0) {
          log.info({ result }, `Asked GitHub to redeliver ${result.requested} missed deliveries`);
        }
        return { finished: !result.interrupted, result };
      },
    };
    if (background) {
      const jobs = createBackgroundJobs({ store, jobs: [recoverJob, verifyJob], log, tickMs });
      jobs.start();
      services.onStop(() => jobs.stop());
    }
  };
}
