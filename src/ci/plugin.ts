/**
 * The ci capability: the workflow_run and workflow_job handlers and the diagnosis page the
 * `keel/ci` status links to. The page answers only the signed link Keel published; any other URL
 * under /ci/ gets the same 404 as an unknown route, so ids cannot be probed.
 */
import { capabilityDeps } from '../capability-deps.js';
import type { KeelPlugin } from '../keel.js';
import { mountSignedPage } from '../http/private-page.js';
import { serviceAllows } from '../integrations/gate.js';
import type { ConfigCache } from '../repo-config/config-cache.js';
import { CI_LINK_KIND, handleWorkflowRun } from './handler.js';
import { handleWorkflowJob } from './handler-job.js';
import { renderDiagnosisPage } from './page.js';
import { readRun } from './store.js';

export interface CiPluginOptions {
  /** ETag cache for `.github/keel.yml` reads; Keel's shared one by default. */
  configCache?: ConfigCache;
}

export function ciPlugin({ configCache }: CiPluginOptions = {}): KeelPlugin {
  return (services, http) => {
    const { config, store, probot } = services;
    const deps = capabilityDeps(services, 'ci', configCache);
    probot.on('workflow_run.completed', async ({ payload }) => {
      if (await serviceAllows(deps.integrations, 'ci', payload, deps.log)) await handleWorkflowRun(deps, payload);
    });
    probot.on('workflow_job.completed', async ({ payload }) => {
      if (await serviceAllows(deps.integrations, 'ci', payload, deps.log)) await handleWorkflowJob(deps, payload);
    });

    mountSignedPage(http, {
      kind: CI_LINK_KIND,
      key: config.linkSigningKey,
      read: (id) => readRun(store, id),
      render: (run) => renderDiagnosisPage({ run, githubWebUrl: config.githubWebUrl }),
    });
  };
}
