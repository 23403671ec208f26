/**
 * The one entry point of workflow repair (webhooks, the weekly sweep and `/keel repair` call it):
 * scan the default branch's workflows → plan against Keel's existing pull request → write. One
 * pull request per repository, on `keel/repair-workflows`; never merged, never the default branch.
 */
import { permissionsOf } from '../capabilities.js';
import type { CapabilityDeps } from '../capability-deps.js';
import { ConfigError } from '../errors.js';
import { statusOf } from '../github/errors.js';
import type { RepositoryRef } from '../github/repository.js';
import { signPath } from '../http/signed-links.js';
import { loadInstallationConfig } from '../repo-config/load-installation-config.js';
import { listBotPullRequests, readDefaultBranch, type BotPullRequest } from './github.js';
import {
  BaseMovedError,
  commentOnPullRequest,
  commitToBranch,
  editPullRequest,
  openPullRequest,
} from './github-writes.js';
import {
  closedBody,
  NOTHING_LEFT_COMMENT,
  NOTHING_LEFT_MARKER,
  planRepair,
  REPAIR_BRANCH,
  REPAIR_TITLE,
  renderRepairBody,
} from './pull-request.js';
import { applyEdits } from './rewrite.js';
import { RETIREMENTS_FINGERPRINT } from './retirements.js';
import { scanRepository, type RepositoryScan } from './scan-repository.js';
import { queueRepair, readScan, reserveOpening, saveReport, saveScan } from './store.js';

export interface RepairTarget {
  installationId: number;
  repository: { id: number; owner: string; name: string; defaultBranch?: string };
  trigger: 'installation' | 'push' | 'failed-run' | 'command' | 'sweep';
}

export interface RepairOutcome {
  kind: 'opened' | 'updated' | 'unchanged' | 'closed' | 'nothing-to-repair' | 'dry-run' | 'disabled' | 'deferred';
  /** Findings on the default branch, rewritable or not. */
  findings: number;
  pullRequestUrl?: string;
  /** The dry run's signed details page. */
  detailsUrl?: string;
  /** Why `disabled`: the console's switch or exclusion, `.github/keel.yml`, or a configuration error. */
  reason?: string;
  /** Workflow files with findings. */
  files?: number;
  /** Where the repository's configuration came from (`defaults`: no `.github/keel.yml` anywhere). */
  configSource?: 'repository' | 'organization' | 'defaults';
  defaultBranch?: string;
}

/** The dry-run details page's kind in signed links: `/repair/<id>?sig=…`. */
export const REPORT_LINK_KIND = 'repair';
const PERMISSIONS = permissionsOf('repair');
/** Scans of one repair when pushes keep changing the files it rewrites; then the error goes to the retry. */
const MAX_SCANS = 3;

/**
 * Repairs `target`. A file the commit rewrites that changed on the default branch after the scan
 * read it (a push in between) is never committed over: the repair scans again from the new head.
 */
export async function repairRepository(deps: CapabilityDeps, target: RepairTarget): Promise<RepairOutcome> {
  for (let scans = 1; ; scans++) {
    try {
      return await repairOnce(deps, target);
    } catch (error) {
      if (!(error instanceof BaseMovedError) || scans >= MAX_SCANS) throw error;
      deps.log.info(
        { repository: `${target.repository.owner}/${target.repository.name}`, paths: error.paths },
        'Workflows changed on the default branch during the repair; scanning again',
      );
    }
  }
}

async function repairOnce(deps: CapabilityDeps, target: RepairTarget): Promise<RepairOutcome> {
  const { store, log, now = Date.now } = deps;
  const { installationId, repository } = target;
  const fullName = `${repository.owner}/${repository.name}`;
  const where = { installation: installationId, repository: fullName, trigger: target.trigger };
  const decision = await deps.integrations.decide({ installationId, service: 'repair', repository: fullName });
  if (!decision.allowed) return { kind: 'disabled', findings: 0, reason: decision.reason };
  const loaded = await loadInstallationConfig({
    tokens: deps.tokens,
    cache: deps.configCache,
    installationId,
    repository: { id: repository.id, owner: repository.owner, name: repository.name },
    githubHost: deps.config.githubHost,
    log,
  }).catch((error: unknown) => {
    if (error instanceof ConfigError) return error;
    throw error;
  });
  if (loaded instanceof ConfigError) {
    log.info({ ...where, error: loaded.message }, 'Configuration invalid; not repairing until it is fixed');
    return { kind: 'disabled', findings: 0, reason: 'config-invalid' };
  }
  const config = loaded.config.repair;
  if (!config.enabled) return { kind: 'disabled', findings: 0, reason: 'config', configSource: loaded.source.kind };

  const octokit = await deps.tokens.octokitFor({
    installationId,
    repositoryIds: [repository.id],
    permissions: PERMISSIONS,
  });
  const ref: RepositoryRef = { owner: repository.owner, repo: repository.name, githubHost: deps.config.githubHost };
  const branch = repository.defaultBranch ?? (await readDefaultBranch(octokit, ref));
  const previous = await readScan(store, repository.id);
  const scan = await scanRepository({ octokit, ref, branch, store, previous, now: now() });
  const findings = scan.findings.length;
  const facts = {
    findings,
    files: new Set(scan.findings.map((finding) => finding.path)).size,
    configSource: loaded.source.kind,
    defaultBranch: branch,
  };

  if (config.mode === 'dry-run') {
    await remember(scan, previous?.pullsEtag ?? null, previous?.pulls ?? []);
    const id = await saveReport(
      store,
      { installationId, repositoryId: repository.id, repository: fullName, findings: scan.findings },
      now(),
    );
    const detailsUrl = `${deps.config.publicUrl}${signPath(deps.config.linkSigningKey, REPORT_LINK_KIND, id)}`;
    log.info({ ...where, findings }, 'Dry run: repair listed, nothing opened');
    return { kind: 'dry-run', ...facts, detailsUrl };
  }

  const listed = await listBotPullRequests(octokit, ref, REPAIR_BRANCH, previous?.pullsEtag ?? null);
  const pulls = listed.notModified ? (previous?.pulls ?? []) : listed.value;
  const pullsEtag = listed.notModified ? (previous?.pullsEtag ?? null) : listed.etag;
  const plan = planRepair(scan.findings, pulls);
  await remember(scan, pullsEtag, pulls);

  switch (plan.kind) {
    case 'nothing':
      return { kind: 'nothing-to-repair', ...facts };
    case 'unchanged':
      return { kind: 'unchanged', ...facts, pullRequestUrl: plan.pull.url };
    case 'close':
      await commentOnPullRequest(octokit, ref, plan.pull.number, {
        body: NOTHING_LEFT_COMMENT,
        marker: NOTHING_LEFT_MARKER,
      });
      await editPullRequest(octokit, ref, plan.pull.number, { state: 'closed', body: closedBody(plan.pull.body) });
      await relist({ ...plan.pull, state: 'closed', body: closedBody(plan.pull.body) });
      log.info({ ...where, pull: plan.pull.number }, 'Repair pull request closed: nothing left to repair');
      return { kind: 'closed', ...facts, pullRequestUrl: plan.pull.url };
    case 'update': {
      await commitRepairs(scan, branch);
      const body = renderRepairBody(scan.findings);
      await editPullRequest(octokit, ref, plan.pull.number, { title: REPAIR_TITLE, body });
      await relist({ ...plan.pull, body });
      log.info({ ...where, pull: plan.pull.number, findings }, 'Repair pull request updated');
      return { kind: 'updated', ...facts, pullRequestUrl: plan.pull.url };
    }
    case 'open': {
      const opening = { installationId, repositoryId: repository.id, branch: REPAIR_BRANCH };
      if (!(await reserveOpening(store, opening, now()))) {
        await queueRepair(
          store,
          {
            repositoryId: repository.id,
            installationId,
            owner: repository.owner,
            name: repository.name,
            trigger: target.trigger,
          },
          now(),
        );
        log.info(where, 'Hourly pull request cap reached; repair queued');
        return { kind: 'deferred', ...facts };
      }
      await commitRepairs(scan, branch);
      const body = renderRepairBody(scan.findings);
      const pull = await openPullRequest(octokit, ref, {
        title: REPAIR_TITLE,
        body,
        head: REPAIR_BRANCH,
        base: branch,
      }).catch((error: unknown) => openedMeanwhile(error));
      await relist({ number: pull.number, state: 'open', merged: false, body, url: pull.url });
      log.info({ ...where, pull: pull.number, findings }, 'Repair pull request opened');
      return { kind: 'opened', ...facts, pullRequestUrl: pull.url };
    }
  }

  /**
   * A repair started by another delivery (a push and a failed run are keyed apart in the inbox)
   * may have opened the pull request since the list was read: GitHub answers 422 to a second one
   * from the same branch. The branch now holds this scan's commit; the open pull request is it.
   */
  async function openedMeanwhile(error: unknown): Promise<{ number: number; url: string }> {
    if (statusOf(error) !== 422) throw error;
    const fresh = await listBotPullRequests(octokit, ref, REPAIR_BRANCH, null);
    const open = fresh.notModified ? undefined : fresh.value.find((pull) => pull.state === 'open');
    if (!open) throw error;
    log.info({ ...where, pull: open.number }, 'Repair pull request was opened meanwhile; updating it');
    await editPullRequest(octokit, ref, open.number, { title: REPAIR_TITLE, body: renderRepairBody(scan.findings) });
    return open;
  }

  async function remember(current: RepositoryScan, etag: string | null, listedPulls: BotPullRequest[]): Promise<void> {
    await saveScan(
      store,
      { repositoryId: repository.id, installationId },
      {
        listingEtag: current.listingEtag,
        pullsEtag: etag,
        pulls: listedPulls,
        tableFingerprint: RETIREMENTS_FINGERPRINT,
        files: current.files,
        findings: current.findings,
      },
      now(),
    );
  }

  /**
   * After a write, lists the pull requests again for a fresh ETag, so the next unchanged scan
   * costs a 304. GitHub's list may lag behind the write: what Keel wrote is kept over it.
   */
  async function relist(written: BotPullRequest): Promise<void> {
    const fresh = await listBotPullRequests(octokit, ref, REPAIR_BRANCH, null);
    const others = fresh.notModified ? [] : fresh.value.filter((pull) => pull.number !== written.number);
    await remember(scan, fresh.notModified ? null : fresh.etag, [written, ...others]);
  }

  async function commitRepairs(current: RepositoryScan, base: string): Promise<void> {
    const paths = [
      ...new Set(current.findings.filter((finding) => finding.edits.length > 0).map((finding) => finding.path)),
    ];
    const files = await Promise.all(
      paths.map(async (path) => {
        const text = await current.readText(path);
        const edits = current.findings.filter((finding) => finding.path === path).flatMap((finding) => finding.edits);
        const basedOn = current.files.find((file) => file.path === path)?.sha ?? null;
        return { path, text: applyEdits(text, edits), basedOn };
      }),
    );
    await commitToBranch(octokit, ref, {
      base,
      branch: REPAIR_BRANCH,
      message: `Repair GitHub Actions workflows GitHub retired or deprecated\n\n${current.findings.length} finding(s) in ${paths.length} file(s); see the pull request for each change and why.`,
      files,
    });
  }
}
