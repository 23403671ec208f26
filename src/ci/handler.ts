/**
 * The workflow_run handler. A failed run: read the config, list the attempt's jobs, stream each
 * failed job's log into the diagnosis (a log naming something GitHub retired starts the repair
 * first), store it, then plan and make the writes (status `keel/ci`, the pull request comment, the
 * default branch's tracking issue). A passed run: record flaky tests,
 * and when Keel reported the commit (or its pull request, or the workflow's issue) failing, check
 * the commit's other runs and report the fix. A run Keel has nothing to say about costs no request.
 */
import type { CapabilityDeps } from '../capability-deps.js';
import type { EmitterWebhookEvent } from '@octokit/webhooks';
import { permissionsOf } from '../capabilities.js';
import type { KeelOctokit } from '../github/octokit.js';
import { signPath } from '../http/signed-links.js';
import { applyCiWrites } from './apply-writes.js';
import { DEFAULT_CI_CONFIG, isWorkflowIgnored } from './config.js';
import { diagnoseRunJobs, diagnoseRunWithoutJobs } from './diagnose-run.js';
import { markKnownFlaky } from './flaky.js';
import type { RepositoryRef } from '../github/repository.js';
import { listAttemptJobs, listCommitPulls, listCommitRuns } from './github.js';
import { loadCiConfig } from './load-ci-config.js';
import { repairAfterRetirement } from '../repair/repair-after-retirement.js';
import { readOpenRepairPullRequest } from '../repair/store.js';
import { recordFlakyFailures } from './record-flaky.js';
import { judgeCommitRuns, planFailureWrites, planSuccessWrites, type PullState, type RunReport } from './report.js';
import { linkRepairPull } from './retirements.js';
import {
  FAILED_RUN_CONCLUSIONS,
  findFailingRuns,
  readCommitState,
  recordPassedRun,
  saveRunDiagnoses,
  type RunFacts,
  type StoredRun,
} from './store.js';
import { listFlakyTests } from './store-flaky.js';
import {
  findFailingPullComments,
  findPullComment,
  findTrackingIssue,
  hasOpenedTrackingIssue,
} from './store-reports.js';

export type WorkflowRunPayload = EmitterWebhookEvent<'workflow_run.completed'>['payload'];

/** The diagnosis page's kind in signed links: `/ci/<id>?sig=…`. */
export const CI_LINK_KIND = 'ci';

/** The job token: this repository only, exactly the ci capability's permissions. */
const CI_PERMISSIONS = permissionsOf('ci');

interface RunContext {
  deps: CapabilityDeps;
  payload: WorkflowRunPayload;
  facts: RunFacts;
  ref: RepositoryRef;
  now: () => number;
}

export async function handleWorkflowRun(deps: CapabilityDeps, payload: WorkflowRunPayload): Promise<void> {
  if (!payload.installation) {
    deps.log.warn({ repository: payload.repository.full_name }, 'workflow_run event without an installation; ignored');
    return;
  }
  const run = payload.workflow_run;
  const context: RunContext = {
    deps,
    payload,
    facts: {
      installationId: payload.installation.id,
      repositoryId: payload.repository.id,
      repository: payload.repository.full_name,
      runId: run.id,
      runAttempt: run.run_attempt,
      workflowId: run.workflow_id,
      workflow: run.name || payload.workflow?.name || run.path,
      event: run.event,
      headSha: run.head_sha,
      headBranch: run.head_branch,
      conclusion: run.conclusion ?? 'unknown',
      htmlUrl: run.html_url,
    },
    ref: { owner: payload.repository.owner.login, repo: payload.repository.name, githubHost: deps.config.githubHost },
    now: deps.now ?? Date.now,
  };
  if (FAILED_RUN_CONCLUSIONS.has(context.facts.conclusion)) await reportFailedRun(context);
  else if (context.facts.conclusion === 'success') await reportPassedRun(context);
}

function jobOctokit({ deps, facts }: RunContext): Promise<KeelOctokit> {
  return deps.tokens.octokitFor({
    installationId: facts.installationId,
    repositoryIds: [facts.repositoryId],
    permissions: CI_PERMISSIONS,
  });
}

function loadConfig({ deps, facts, ref }: RunContext) {
  return loadCiConfig({ ...deps, ref, installationId: facts.installationId, repositoryId: facts.repositoryId });
}

function reportOf({ deps }: RunContext, run: StoredRun): RunReport {
  const path = signPath(deps.config.linkSigningKey, CI_LINK_KIND, run.id);
  return { run, pageUrl: `${deps.config.publicUrl}${path}` };
}

const PULL_REQUEST_EVENTS = new Set(['pull_request', 'pull_request_target']);

/**
 * A run of the default branch itself: its name alone is not enough, since a fork's pull request
 * may come from a branch named like it (often `main`), and a pull request run tests a merge.
 */
function isDefaultBranch({ payload, facts }: RunContext): boolean {
  return (
    facts.headBranch !== null &&
    facts.headBranch === payload.repository.default_branch &&
    payload.workflow_run.head_repository?.id === payload.repository.id &&
    !PULL_REQUEST_EVENTS.has(facts.event)
  );
}

async function reportFailedRun(context: RunContext): Promise<void> {
  const { deps, facts, ref, payload } = context;
  const where = { repository: facts.repository, run: facts.runId, attempt: facts.runAttempt, workflow: facts.workflow };
  const octokit = await jobOctokit(context);
  const { config, configError } = await loadConfig(context);
  if (isWorkflowIgnored(config, { name: facts.workflow, path: payload.workflow_run.path })) {
    deps.log.info(where, 'Workflow listed in ci.ignoreWorkflows; not diagnosed');
    return;
  }
  const jobs = await listAttemptJobs(octokit, ref, facts.runId, facts.runAttempt);
  const result = await diagnoseRunJobs({ octokit, ref, workflow: facts.workflow, jobs });
  if (result.diagnoses.length === 0 && result.notDiagnosed === 0) {
    result.diagnoses.push(diagnoseRunWithoutJobs({ ...facts, runUrl: facts.htmlUrl }));
  }
  const flaky = await listFlakyTests(deps.store, facts.repositoryId, facts.workflow);
  const marked = result.diagnoses.map((diagnosis) =>
    markKnownFlaky(
      diagnosis,
      flaky.filter((test) => test.job === diagnosis.job.name).map((test) => test.test),
    ),
  );
  // A job that failed on something GitHub retired starts the repair first, then links the repair
  // pull request as it stands after that repair (opened, updated or none).
  const retired = marked.some((diagnosis) => diagnosis.retirements);
  const pending = retired ? await repairAfterRetirement(deps, payload) : undefined;
  const diagnoses = pending
    ? linkRepairPull(marked, await readOpenRepairPullRequest(deps.store, facts.repositoryId), pending)
    : marked;
  await saveRunDiagnoses(
    deps.store,
    facts,
    { diagnoses, notDiagnosed: result.notDiagnosed, configError },
    context.now(),
  );

  const failing = (await findFailingRuns(deps.store, facts.repositoryId, facts.headSha)).map((run) =>
    reportOf(context, run),
  );
  const current = failing.find(
    (report) => report.run.runId === facts.runId && report.run.runAttempt === facts.runAttempt,
  );
  if (!current) throw new Error('The CI diagnosis just saved cannot be read back.');
  const pulls = config.comment ? await findPulls(context, octokit) : [];
  const tracking =
    config.trackDefaultBranch && isDefaultBranch(context) && (facts.event === 'push' || facts.event === 'schedule')
      ? {
          branch: facts.headBranch ?? '',
          issue: await findTrackingIssue(deps.store, facts.repositoryId, facts.workflowId),
          labelReady: await hasOpenedTrackingIssue(deps.store, facts.repositoryId),
        }
      : null;
  const writes = planFailureWrites({ sha: facts.headSha, current, failing, pulls, comment: config.comment, tracking });
  await applyCiWrites(writeContext(context, octokit), writes);
  deps.log.info(
    { ...where, jobs: diagnoses.length, notDiagnosed: result.notDiagnosed, writes: writes.map((write) => write.kind) },
    'Failed workflow run diagnosed',
  );
}

/** The open pull requests of the run's commit: from the payload, or one lookup for fork runs. */
async function findPulls(context: RunContext, octokit: KeelOctokit): Promise<PullState[]> {
  const { payload, facts, deps } = context;
  let numbers = payload.workflow_run.pull_requests.flatMap((pull) =>
    pull && pull.base.repo.id === facts.repositoryId ? [pull.number] : [],
  );
  if (numbers.length === 0 && PULL_REQUEST_EVENTS.has(facts.event)) {
    const pulls = await listCommitPulls(octokit, context.ref, facts.headSha);
    numbers = pulls
      .filter((pull) => pull.state === 'open' && pull.headSha === facts.headSha)
      .map((pull) => pull.number);
  }
  return Promise.all(
    [...new Set(numbers)].map(async (number) => ({
      number,
      comment: await findPullComment(deps.store, facts.repositoryId, number),
    })),
  );
}

async function reportPassedRun(context: RunContext): Promise<void> {
  const { deps, facts, payload, ref } = context;
  if (facts.runAttempt > 1) {
    await recordFlakyFailures(
      deps.store,
      {
        repositoryId: facts.repositoryId,
        headSha: facts.headSha,
        run: { runId: facts.runId, beforeAttempt: facts.runAttempt },
      },
      context.now(),
    );
  }
  const commitState = await readCommitState(deps.store, facts.repositoryId, facts.headSha);
  const before = await findFailingRuns(deps.store, facts.repositoryId, facts.headSha);
  const wasFailing = before.some((run) => run.workflowId === facts.workflowId && run.event === facts.event);
  if (before.length > 0 || commitState !== undefined) await recordPassedRun(deps.store, facts, context.now());
  const pulls = await findFailingPulls(context);
  const issue = isDefaultBranch(context)
    ? await findTrackingIssue(deps.store, facts.repositoryId, facts.workflowId)
    : undefined;
  const closing =
    issue?.state === 'open' && issue.issueNumber !== null
      ? { ...facts, issueNumber: issue.issueNumber, branch: issue.branch, runUrl: facts.htmlUrl }
      : null;
  if (commitState !== 'failure' && pulls.length === 0 && !closing) return;

  const octokit = await jobOctokit(context);
  // Closing the workflow's issue needs no setting; judging the commit needs ignoreWorkflows.
  const needsCommitCheck = commitState === 'failure' || pulls.length > 0;
  const { config } = needsCommitCheck ? await loadConfig(context) : { config: DEFAULT_CI_CONFIG };
  let allPassed = false;
  if (commitState === 'failure' || (config.comment && pulls.length > 0)) {
    const runs = await listCommitRuns(octokit, ref, facts.headSha);
    const passed = {
      id: facts.runId,
      workflowId: facts.workflowId,
      name: facts.workflow,
      path: payload.workflow_run.path,
      event: facts.event,
      status: 'completed',
      conclusion: 'success',
      runNumber: payload.workflow_run.run_number,
      runAttempt: facts.runAttempt,
    };
    allPassed = judgeCommitRuns(runs, passed, (run) => isWorkflowIgnored(config, run));
  }
  const remaining =
    wasFailing && !allPassed ? await findFailingRuns(deps.store, facts.repositoryId, facts.headSha) : [];
  const writes = planSuccessWrites({
    sha: facts.headSha,
    commitState,
    allPassed,
    refresh: remaining.length > 0 ? { failing: remaining.map((run) => reportOf(context, run)), pulls } : null,
    pulls,
    comment: config.comment,
    closing,
  });
  await applyCiWrites(writeContext(context, octokit), writes);
  deps.log.info(
    { repository: facts.repository, run: facts.runId, allPassed, writes: writes.map((write) => write.kind) },
    'Passed workflow run reported',
  );
}

/** Pull requests whose Keel comment reports this commit, or this run's pull requests, failing. */
async function findFailingPulls({ deps, facts, payload }: RunContext): Promise<PullState[]> {
  const byNumber = new Map<number, PullState>();
  for (const comment of await findFailingPullComments(deps.store, facts.repositoryId, facts.headSha)) {
    byNumber.set(comment.pullNumber, { number: comment.pullNumber, comment });
  }
  for (const pull of payload.workflow_run.pull_requests) {
    if (!pull || byNumber.has(pull.number) || pull.base.repo.id !== facts.repositoryId) continue;
    const comment = await findPullComment(deps.store, facts.repositoryId, pull.number);
    if (comment?.state === 'failing') byNumber.set(pull.number, { number: pull.number, comment });
  }
  return [...byNumber.values()];
}

function writeContext({ deps, facts, ref, now }: RunContext, octokit: KeelOctokit) {
  return {
    octokit,
    ref,
    store: deps.store,
    installationId: facts.installationId,
    repositoryId: facts.repositoryId,
    log: deps.log,
    now,
  };
}
