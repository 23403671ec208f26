/**
 * The pr-checks capability: the pull_request handler and the details page its statuses link to.
 * The page answers only the signed link Keel published; any other URL under /pr-checks/ gets the
 * same 404 as an unknown route, so ids cannot be probed.
 */
import { capabilityDeps } from '../capability-deps.js';
import type { KeelPlugin } from '../keel.js';
import { mountSignedPage } from '../http/private-page.js';
import { serviceAllows } from '../integrations/gate.js';
import type { ConfigCache } from '../repo-config/config-cache.js';
import { checkPullRequest, PR_CHECKS_EVENTS, REPORT_LINK_KIND } from './handler.js';
import { renderReportPage } from './page.js';
import { readReport } from './store.js';

export interface PrChecksPluginOptions {
  /** ETag cache for `.github/keel.yml` reads; Keel's shared one by default. */
  configCache?: ConfigCache;
}

export function prChecksPlugin({ configCache }: PrChecksPluginOptions = {}): KeelPlugin {
  return (services, http) => {
    const { config, store, probot } = services;
    const deps = capabilityDeps(services, 'pr-checks', configCache);
    probot.on([...PR_CHECKS_EVENTS], async ({ payload }) => {
      if (await serviceAllows(deps.integrations, 'pr-checks', payload, deps.log)) await checkPullRequest(deps, payload);
    });

    mountSignedPage(http, {
      kind: REPORT_LINK_KIND,
      key: config.linkSigningKey,
      read: (id) => readReport(store, id),
      render: (report) => renderReportPage({ report, githubWebUrl: config.githubWebUrl }),
    });
  };
}
