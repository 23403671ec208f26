/**
 * The repair capability: webhook triggers (a repository joining, a push touching workflows; a
 * failed run whose log names a retirement reaches repair through the CI diagnosis, which reads
 * logs), its background jobs (see jobs.ts), and the dry run's signed details page.
 */
import { capabilityDeps } from '../capability-deps.js';
import { createBackgroundJobs } from '../connection/background-jobs.js';
import { mountSignedPage } from '../http/private-page.js';
import { serviceAllows } from '../integrations/gate.js';
import type { KeelPlugin } from '../keel.js';
import type { ConfigCache } from '../repo-config/config-cache.js';
import { handleJoined, handlePush } from './handler.js';
import { createRepairJobs } from './jobs.js';
import { renderRepairPage } from './page.js';
import { REPORT_LINK_KIND } from './repair-repository.js';
import { readReport } from './store.js';

export interface RepairPluginOptions {
  configCache?: ConfigCache;
  /** Run the background jobs: hourly drain, weekly sweep, daily report clean-up (default true). */
  background?: boolean;
  tickMs?: number;
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
    const jobs = createBackgroundJobs({ store, jobs: createRepairJobs(deps), log: deps.log, tickMs });
    jobs.start();
    services.onStop(() => jobs.stop());
  };
}
