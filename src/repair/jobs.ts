/**
 * Repair's background jobs, run by `createBackgroundJobs` (one process runs each per period):
 * the hourly drain of repairs and onboarding pull requests queued past the hourly cap, the weekly
 * sweep (so a new row of the retirement table reaches every repository), and the daily clean-up
 * of dry-run reports past their retention and of action facts long unread.
 */
import type { CapabilityDeps } from '../capability-deps.js';
import type { BackgroundJob } from '../connection/background-jobs.js';
import { settleOrAbort, viewOctokit } from '../connection/octokit-view.js';
import { classifyGitHubError } from '../github/errors.js';
import { FACTS_KEY_FAMILY, FACTS_MAX_AGE_MS } from '../pr-checks/online-facts.js';
import type { Store } from '../store/database.js';
import { openOnboarding } from './onboarding.js';
import { repairRepository, type RepairTarget } from './repair-repository.js';
import { TAG_FACTS_MAX_AGE_MS } from './action-facts.js';
import {
  deleteActionFactsBefore,
  deleteReportsBefore,
  HOURLY_OPENINGS,
  queueRepair,
  takeQueuedRepairs,
} from './store.js';

export const SWEEP_JOB = 'repair:weekly-sweep';
export const QUEUE_JOB = 'repair:drain-queue';
export const REPORT_RETENTION_JOB = 'repair:report-retention';

/** Dry-run reports (and the signed links to them) live this long. */
export const REPORT_RETENTION_DAYS = 30;
const DAY_MS = 86_400_000;
/**
 * Action facts (repair's and the workflow audit's, one table) are deleted this long after they
 * were last read from GitHub: past the longest time each is trusted, so only rows no scan or
 * audit has refreshed go. Repair's facts about SHA-pinned actions never expire; a repository
 * still using one reads it again, a few requests a month.
 */
export const ACTION_FACTS_RETENTION_MS = {
  repair: TAG_FACTS_MAX_AGE_MS + 23 * DAY_MS,
  prChecks: FACTS_MAX_AGE_MS + DAY_MS,
};

const TRIGGERS: ReadonlySet<string> = new Set(['installation', 'push', 'failed-run', 'command', 'sweep']);

/**
 * The deps of one run: every GitHub request it makes through `tokens` aborts when Keel stops.
 * Views, since the cached clients are shared with webhook handlers, whose requests go on; a token
 * being minted is left to finish (into the cache) while the run stops waiting for it.
 */
function abortingOn(deps: CapabilityDeps, signal: AbortSignal): CapabilityDeps {
  const { tokens } = deps;
  return {
    ...deps,
    tokens: {
      async octokitFor(request) {
        return viewOctokit(await settleOrAbort(tokens.octokitFor(request), signal), { signal });
      },
      forget: (installationId) => tokens.forget(installationId),
    },
  };
}

/** Every repository of every installation Keel knows and is not suspended, for the sweep. */
async function listKnownRepositories(store: Store): Promise<RepairTarget[]> {
  const rows = await store.db
    .selectFrom('repositories')
    .innerJoin('installations', 'installations.id', 'repositories.installation_id')
    .select(['repositories.id', 'repositories.installation_id', 'repositories.full_name'])
    .where('installations.suspended_at', 'is', null)
    .execute();
  return rows.map((row) => {
    const [owner = '', name = ''] = row.full_name.split('/');
    return {
      installationId: Number(row.installation_id),
      repository: { id: Number(row.id), owner, name },
      trigger: 'sweep',
    };
  });
}

/**
 * Repairs each target in turn; a target queued when it joined (`installation`) also gets its
 * onboarding pull request, which is idempotent (never a second one, never reopened). `requeue`
 * (the drain, whose targets are already off the queue) puts back what was not done: the targets
 * left when the process stops, and those that failed on something transient (GitHub 5xx, rate
 * limit, network), so a queued onboarding pull request, which no sweep opens, is never lost.
 */
async function repairEach(
  deps: CapabilityDeps,
  targets: RepairTarget[],
  stopping: () => boolean,
  requeue?: (target: RepairTarget) => Promise<void>,
): Promise<Record<string, number>> {
  const outcomes: Record<string, number> = {};
  const count = (kind: string) => (outcomes[kind] = (outcomes[kind] ?? 0) + 1);
  for (const [index, target] of targets.entries()) {
    if (stopping()) {
      if (requeue) for (const left of targets.slice(index)) await requeue(left);
      break;
    }
    try {
      const outcome = await repairRepository(deps, target);
      count(outcome.kind);
      if (target.trigger === 'installation' && (await openOnboarding(deps, target, outcome))) count('onboarding');
    } catch (error) {
      if (stopping()) {
        // Cut by the stop: not a failure; the drain keeps it queued, the next sweep covers it.
        if (requeue) await requeue(target);
        continue;
      }
      count('failed');
      const again = requeue !== undefined && classifyGitHubError(error, deps.config.githubHost).transient;
      if (again) await requeue(target);
      deps.log.warn(
        { err: error, repository: `${target.repository.owner}/${target.repository.name}` },
        again ? 'Repair failed; queued for the next drain' : 'Repair failed; the next sweep tries again',
      );
    }
  }
  return outcomes;
}

export function createRepairJobs(deps: CapabilityDeps): BackgroundJob[] {
  const { store, now = Date.now } = deps;
  const drain: BackgroundJob = {
    name: QUEUE_JOB,
    everyMs: 60 * 60_000,
    async run({ stopping, signal }) {
      // Beyond the cap's worth, the rest waits for the next hour: taking more would only queue them again.
      const queued = await takeQueuedRepairs(store, HOURLY_OPENINGS * 10);
      const targets = queued.map((entry): RepairTarget => ({
        installationId: entry.installationId,
        repository: { id: entry.repositoryId, owner: entry.owner, name: entry.name },
        trigger: TRIGGERS.has(entry.trigger) ? (entry.trigger as RepairTarget['trigger']) : 'sweep',
      }));
      const requeue = ({ installationId, repository, trigger }: RepairTarget) =>
        queueRepair(
          store,
          { installationId, repositoryId: repository.id, owner: repository.owner, name: repository.name, trigger },
          now(),
        );
      return { finished: true, result: await repairEach(abortingOn(deps, signal), targets, stopping, requeue) };
    },
  };
  const sweep: BackgroundJob = {
    name: SWEEP_JOB,
    everyMs: 7 * DAY_MS,
    async run({ stopping, signal }) {
      const result = await repairEach(abortingOn(deps, signal), await listKnownRepositories(store), stopping);
      return { finished: !stopping(), result };
    },
  };
  const retention: BackgroundJob = {
    name: REPORT_RETENTION_JOB,
    everyMs: DAY_MS,
    async run() {
      const deleted = await deleteReportsBefore(store, now() - REPORT_RETENTION_DAYS * DAY_MS);
      const actionFacts = await deleteActionFactsBefore(store, {
        before: now() - ACTION_FACTS_RETENTION_MS.repair,
        prefix: FACTS_KEY_FAMILY,
        prefixedBefore: now() - ACTION_FACTS_RETENTION_MS.prChecks,
      });
      return { finished: true, result: { deleted, actionFacts } };
    },
  };
  return [drain, sweep, retention];
}
