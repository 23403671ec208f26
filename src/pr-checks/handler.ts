/**
 * The pull_request handler: fetch (configuration, changed files, changed workflows, facts about
 * the actions they use) → pure audit
 * → store the report → write the `keel/pr-checks` status. Thin by design: every decision lives in
 * `audit.ts` and `report.ts`. A bad configuration becomes a failure status, never an exception;
 * GitHub failures are thrown classified, so transient ones are retried by the inbox.
 */
import type { CapabilityDeps } from '../capability-deps.js';
import type { EmitterWebhookEvent } from '@octokit/webhooks';
import { permissionsOf } from '../capabilities.js';
import { ConfigError } from '../errors.js';
import type { KeelOctokit } from '../github/octokit.js';
import { signPath } from '../http/signed-links.js';
import { loadInstallationConfig } from '../repo-config/load-installation-config.js';
import { applyAcceptedFindings, listAcceptances } from './accepted-findings.js';
import { auditPullRequest, workflowFilesToFetch } from './audit.js';
import { writeStatus, type RepositoryRef } from '../github/repository.js';
import { listChangedFiles, readFilesAt } from './github.js';
import { gatherActionFacts, planActionFacts } from './online-facts.js';
import {
  fingerprintConfig,
  mergePartialAudit,
  planAuditScope,
  planFinalStatus,
  planPendingStatus,
  reportConfigError,
  summarizeAudit,
  type PrCheckReport,
} from './report.js';
import { findReport, isHeadSha, recordHeadSha, saveReport, type HeadSighting } from './store.js';

export const PR_CHECKS_EVENTS = [
  'pull_request.opened',
  'pull_request.synchronize',
  'pull_request.reopened',
  'pull_request.ready_for_review',
  'pull_request.edited',
] as const;

export type PrChecksPayload = EmitterWebhookEvent<(typeof PR_CHECKS_EVENTS)[number]>['payload'];

/** The details page's kind in signed links: `/pr-checks/<id>?sig=…`. */
export const REPORT_LINK_KIND = 'pr-checks';

const PERMISSIONS = permissionsOf('pr-checks');

interface Audited {
  report: PrCheckReport;
  configFingerprint: string | null;
}

export async function checkPullRequest(deps: CapabilityDeps, payload: PrChecksPayload): Promise<void> {
  const { store, log, now = Date.now } = deps;
  const pr = payload.pull_request;
  const where = { repository: payload.repository.full_name, pull: pr.number, sha: pr.head.sha, action: payload.action };
  if (!payload.installation) {
    log.warn(where, 'pull_request event without an installation; nothing to check');
    return;
  }
  if (pr.state !== 'open') return;
  const sighting: HeadSighting = {
    repositoryId: payload.repository.id,
    pullNumber: pr.number,
    installationId: payload.installation.id,
    headSha: pr.head.sha,
    prUpdatedAt: Date.parse(pr.updated_at),
  };
  if (!(await recordHeadSha(store, sighting, now()))) {
    log.info(where, 'A newer commit of this pull request was already seen; not auditing this one');
    return;
  }

  const octokit = await deps.tokens.octokitFor({
    installationId: sighting.installationId,
    repositoryIds: [sighting.repositoryId],
    permissions: PERMISSIONS,
  });
  const ref: RepositoryRef = {
    owner: payload.repository.owner.login,
    repo: payload.repository.name,
    githubHost: deps.config.githubHost,
  };
  await writeStatus(octokit, ref, planPendingStatus(pr.head.sha));
  const audited = await auditCommit(deps, octokit, ref, payload, sighting.installationId);
  const { configFingerprint } = audited;
  const report = applyAcceptedFindings(audited.report, await listAcceptances(store, sighting));
  const id = await saveReport(
    store,
    { ...sighting, repository: where.repository, title: pr.title, configFingerprint, report },
    now(),
  );
  if (!(await isHeadSha(store, sighting, pr.head.sha))) {
    log.info(where, 'A newer commit arrived during the audit; its status is left to that audit');
    return;
  }
  const link = `${deps.config.publicUrl}${signPath(deps.config.linkSigningKey, REPORT_LINK_KIND, id)}`;
  await writeStatus(octokit, ref, planFinalStatus(pr.head.sha, report, link));
  log.info(
    { ...where, state: report.state, findings: report.findings.length, notAudited: report.notAudited.length },
    'Pull request checked',
  );
}

async function auditCommit(
  deps: CapabilityDeps,
  octokit: KeelOctokit,
  ref: RepositoryRef,
  payload: PrChecksPayload,
  installationId: number,
): Promise<Audited> {
  const pr = payload.pull_request;
  // Read with config tokens of its own (as ci does), which also reach the owner's `.github`.
  const loaded = await loadInstallationConfig({
    tokens: deps.tokens,
    cache: deps.configCache,
    installationId,
    repository: { id: payload.repository.id, owner: ref.owner, name: ref.repo },
    githubHost: ref.githubHost,
    log: deps.log,
  }).catch((error: unknown) => {
    // A bad configuration is the repository's to fix: report it, never retry it.
    if (error instanceof ConfigError) return error;
    throw error;
  });
  if (loaded instanceof ConfigError) return { report: reportConfigError(loaded), configFingerprint: null };
  const prChecks = loaded.config.prChecks;
  const configFingerprint = fingerprintConfig(prChecks);
  const base = { title: pr.title, body: pr.body, config: prChecks, publicRepository: !payload.repository.private };

  const only = planAuditScope(payload.action, 'changes' in payload ? payload.changes : undefined);
  if (only) {
    const previous = await findReport(
      deps.store,
      { repositoryId: payload.repository.id, pullNumber: pr.number },
      pr.head.sha,
    );
    if (previous && previous.configFingerprint === configFingerprint) {
      const partial = auditPullRequest({ ...base, files: [], workflowContents: new Map(), only });
      return { report: mergePartialAudit(previous.report, partial, only), configFingerprint };
    }
  }

  const files = await listChangedFiles(octokit, ref, pr.number);
  const workflowContents = await readFilesAt(octokit, ref, pr.head.sha, workflowFilesToFetch(files, prChecks));
  const needs = planActionFacts(files, workflowContents, prChecks, payload.repository.full_name);
  const actionFacts =
    needs.length === 0
      ? undefined
      : await gatherActionFacts(
          {
            octokit,
            store: deps.store,
            githubHost: ref.githubHost,
            installationId,
            now: (deps.now ?? Date.now)(),
            log: deps.log,
          },
          needs,
        );
  const result = auditPullRequest({ ...base, files, workflowContents, ...(actionFacts ? { actionFacts } : {}) });
  return { report: summarizeAudit(result, pr.changed_files ?? files.length, files.length), configFingerprint };
}
