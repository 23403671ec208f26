/**
 * The repair capability: webhook triggers, the weekly sweep (so a new row of the retirement table
 * reaches every repository), the hourly drain of repairs queued past the pull request cap, and
 * the dry run's signed details page.
 */
import { capabilityDeps, type CapabilityDeps } from '../capability-deps.js';
import { createBackgroundJobs, type BackgroundJob } from '../connection/background-jobs.js';
import { mountSignedPage } from '../http/private-page.js';
import { serviceAllows } from '../integrations/gate.js';
import type { KeelPlugin } from '../keel.js';
import type { ConfigCache } from '../repo-config/config-cache.js';
import type { Store } from '../store/database.js';
import { handleFailedRun, handleJoined, handlePush } from './handler.js';
import { renderRepairPage } from './page.js';
import { repairRepository, REPORT_LINK_KIND, type RepairTarget } from './repair-repository.js';
import { HOURLY_OPENINGS, readReport, takeQueuedRepairs } from './store.js';

export interface RepairPluginOptions {
  configCache?: ConfigCache;
  /** Run the weekly sweep and the hourly queue drain (default true). */
  background?: boolean;
  tickMs?: number;
}

export const SWEEP_JOB = 'repair:weekly-sweep';
export const QUEUE_JOB = 'repair:drain-queue';

/** Every repository of every installation Keel knows, for the sweep. */
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

async function repairEach(
  deps: CapabilityDeps,
  targets: RepairTarget[],
  stopping: () => boolean,
): Promise<Record<string, number>> {
  const outcomes: Record<string, number> = {};
  for (const target of targets) {
    if (stopping()) break;
    try {
      const outcome = await repairRepository(deps, target);
      outcomes[outcome.kind] = (outcomes[outcome.kind] ?? 0) + 1;
    } catch (error) {
      outcomes.failed = (outcomes.failed ?? 0) + 1;
      deps.log.warn(
        { err: error, repository: `${target.repository.owner}/${target.repository.name}` },
        'Repair failed; the next sweep tries again',
      );
    }
  }
  return outcomes;
}

export function repairPlugin({
  configCache,
  background = true,
  tickMs = 60_000,
}: RepairPluginOptions = {}): KeelPlugin {
  return (services, http) => {
    const { config, store, probot } = services;
    const deps = capabilityDeps(services, 'repair', configCache);
    const allows = (payload: Parameters<typeof serviceAllows>[2]) =>
      serviceAllows(deps.integrations, 'repair', payload, deps.log);

    probot.on('push', async ({ payload }) => {
      if (await allows(payload)) await handlePush(deps, payload);
    });
    probot.on('workflow_run.completed', async ({ payload }) => {
      if (await allows(payload)) await handleFailedRun(deps, payload);
    });
    probot.on('installation.created', async ({ payload }) => {
      const repositories = payload.repositories ?? [];
      await handleJoined(deps, payload, repositories, (full_name) =>
        allows({ installation: payload.installation, repository: { full_name } }),
      );
    });
    probot.on('installation_repositories.added', async ({ payload }) => {
      await handleJoined(deps, payload, payload.repositories_added, (full_name) =>
        allows({ installation: payload.installation, repository: { full_name } }),
      );
    });

    mountSignedPage(http, {
      kind: REPORT_LINK_KIND,
      key: config.linkSigningKey,
      read: (id) => readReport(store, id),
      render: (report) => String(renderRepairPage(report)),
    });

    if (!background) return;
    const sweep: BackgroundJob = {
      name: SWEEP_JOB,
      everyMs: 7 * 86_400_000,
      async run({ stopping }) {
        const result = await repairEach(deps, await listKnownRepositories(store), stopping);
        return { finished: !stopping(), result };
      },
    };
    const drain: BackgroundJob = {
      name: QUEUE_JOB,
      everyMs: 60 * 60_000,
      async run({ stopping }) {
        const queued = await takeQueuedRepairs(store, HOURLY_OPENINGS * 10);
        const targets = queued.map((entry): RepairTarget => ({
          installationId: entry.installationId,
          repository: { id: entry.repositoryId, owner: entry.owner, name: entry.name },
          trigger: 'sweep',
        }));
        return { finished: true, result: await repairEach(deps, targets, stopping) };
      },
    };
    const jobs = createBackgroundJobs({ store, jobs: [drain, sweep], log: deps.log, tickMs });
    jobs.start();
    services.onStop(() => jobs.stop());
  };
}
