/**
 * What Keel writes to GitHub about a commit's CI, decided without I/O: the handler gathers the
 * facts (stored diagnoses, stored comment and issue ids, the commit's runs), these functions return
 * the writes, and `apply-writes.ts` makes them.
 */
import type { Diagnosis } from './diagnose.js';
import { fitStatusDescription, type CommitStatus } from '../github/repository.js';
import type { CommitRun } from './github.js';
import {
  describeFailures,
  escapeText,
  renderCiComment,
  renderTrackingIssue,
  renderTrackingIssueComment,
} from './render.js';
import type { CommitState, StoredRun } from './store.js';
import type { PullComment, TrackingIssue } from './store-reports.js';

export const CI_STATUS_CONTEXT = 'keel/ci';
export const ALL_PASSED = 'All workflow runs passed';
export const CI_LABEL = { name: 'keel:ci', color: 'd73a4a', description: 'CI is failing on the default branch' };
const PASSED_CONCLUSIONS: ReadonlySet<string> = new Set(['success', 'skipped', 'neutral']);

/** A failing run and the signed link to its diagnosis page. */
export interface RunReport {
  run: StoredRun;
  pageUrl: string;
}

export interface RunRef {
  runId: number;
  runAttempt: number;
}

export type CiWrite =
  | { kind: 'status'; status: CommitStatus<'failure' | 'success'> }
  | {
      kind: 'pull-comment';
      pullNumber: number;
      /** The comment Keel knows of; null: find it by its marker, else create it. */
      commentId: number | null;
      state: 'failing' | 'fixed';
      body: string;
      headSha: string;
      failingJobs: string[];
    }
  | {
      kind: 'open-issue';
      workflowId: number;
      workflow: string;
      branch: string;
      title: string;
      body: string;
      /** Posted instead when another delivery opened the issue meanwhile. */
      commentBody: string;
      createLabel: boolean;
      run: RunRef;
    }
  | { kind: 'comment-issue'; workflowId: number; issueNumber: number; body: string; run: RunRef }
  | { kind: 'close-issue'; workflowId: number; issueNumber: number; body: string; run: RunRef };

export interface PullState {
  number: number;
  comment: PullComment | undefined;
}

/** The commit status description for the commit's failing runs, at most 140 characters. */
export function describeCommitFailures(reports: readonly RunReport[]): string {
  const only = reports.length === 1 ? reports[0]?.run : undefined;
  if (only && only.diagnoses.length === 1 && only.diagnoses[0]?.job.id === 0 && only.notDiagnosed === 0) {
    const what = only.conclusion === 'startup_failure' ? 'could not start (startup failure)' : 'failed';
    return fitStatusDescription(`Workflow ${only.workflow} ${what}`);
  }
  const diagnoses = reports.flatMap((report) => report.run.diagnoses);
  const notDiagnosed = reports.reduce((sum, report) => sum + report.run.notDiagnosed, 0);
  return describeFailures(diagnoses, notDiagnosed);
}

function failingStatus(sha: string, reports: readonly RunReport[], targetUrl: string): CiWrite {
  return {
    kind: 'status',
    status: {
      sha,
      state: 'failure',
      description: describeCommitFailures(reports),
      target_url: targetUrl,
      context: CI_STATUS_CONTEXT,
    },
  };
}

function failingComments(sha: string, reports: readonly RunReport[], pulls: readonly PullState[]): CiWrite[] {
  const pageOf = new Map<Diagnosis, string>();
  for (const report of reports) for (const diagnosis of report.run.diagnoses) pageOf.set(diagnosis, report.pageUrl);
  const diagnoses = [...pageOf.keys()];
  const body = renderCiComment({
    state: 'failing',
    sha,
    diagnoses,
    diagnosisUrl: (diagnosis) => pageOf.get(diagnosis) ?? '',
    notDiagnosed: reports.reduce((sum, report) => sum + report.run.notDiagnosed, 0),
  });
  const failingJobs = [...new Set(diagnoses.map((diagnosis) => diagnosis.job.name))];
  return pulls.map((pull) => ({
    kind: 'pull-comment',
    pullNumber: pull.number,
    commentId: pull.comment?.commentId ?? null,
    state: 'failing',
    body,
    headSha: sha,
    failingJobs,
  }));
}

export interface TrackingState {
  branch: string;
  issue: TrackingIssue | undefined;
  /** Keel already opened a tracking issue in this repository, so the label exists. */
  labelReady: boolean;
}

export interface FailurePlanInput {
  sha: string;
  /** The run just diagnosed. */
  current: RunReport;
  /** The commit's failing runs (the current one among them), oldest first. */
  failing: readonly RunReport[];
  /** Open pull requests of the commit, with Keel's comment on each when known. */
  pulls: readonly PullState[];
  comment: boolean;
  /** Set for a push or schedule run of the default branch with trackDefaultBranch on. */
  tracking: TrackingState | null;
}

export function planFailureWrites(input: FailurePlanInput): CiWrite[] {
  const { sha, current } = input;
  const failing = input.failing.some((report) => report.run.id === current.run.id)
    ? input.failing
    : [...input.failing, current];
  const writes: CiWrite[] = [failingStatus(sha, failing, current.pageUrl)];
  if (input.comment) writes.push(...failingComments(sha, failing, input.pulls));
  if (input.tracking) writes.push(...planTrackingIssue(input.tracking, current));
  return writes;
}

function planTrackingIssue(tracking: TrackingState, { run, pageUrl }: RunReport): CiWrite[] {
  const input = {
    branch: tracking.branch,
    workflow: run.workflow,
    sha: run.headSha,
    runUrl: run.htmlUrl,
    diagnoses: run.diagnoses,
    diagnosisUrl: pageUrl,
    notDiagnosed: run.notDiagnosed,
  };
  const runRef = { runId: run.runId, runAttempt: run.runAttempt };
  const { issue } = tracking;
  if (issue?.state === 'open' && issue.issueNumber !== null) {
    if (issue.lastRunId === run.runId && issue.lastRunAttempt === run.runAttempt) return [];
    const body = renderTrackingIssueComment(input);
    return [{ kind: 'comment-issue', workflowId: run.workflowId, issueNumber: issue.issueNumber, body, run: runRef }];
  }
  const { title, body } = renderTrackingIssue(input);
  return [
    {
      kind: 'open-issue',
      workflowId: run.workflowId,
      workflow: run.workflow,
      branch: tracking.branch,
      title,
      body,
      commentBody: renderTrackingIssueComment(input),
      createLabel: !tracking.labelReady,
      run: runRef,
    },
  ];
}

export interface SuccessPlanInput {
  sha: string;
  /** What Keel last wrote on the commit. */
  commitState: CommitState | undefined;
  /** Every latest run of the commit passed (false when not checked). */
  allPassed: boolean;
  /** The passing run had been reported failing, and others still fail: the report is refreshed. */
  refresh: { failing: readonly RunReport[]; pulls: readonly PullState[] } | null;
  /** Pull requests whose comment reports a failure. */
  pulls: readonly PullState[];
  comment: boolean;
  /** The open tracking issue of the workflow that passed on the default branch, and the passing run. */
  closing:
    (RunRef & { issueNumber: number; workflowId: number; workflow: string; branch: string; runUrl: string }) | null;
}

export function planSuccessWrites(input: SuccessPlanInput): CiWrite[] {
  const writes: CiWrite[] = [];
  if (input.allPassed) {
    if (input.commitState === 'failure') {
      writes.push({
        kind: 'status',
        status: { sha: input.sha, state: 'success', description: ALL_PASSED, context: CI_STATUS_CONTEXT },
      });
    }
    if (input.comment) {
      for (const pull of input.pulls) {
        if (pull.comment?.state !== 'failing' || pull.comment.commentId === null) continue;
        writes.push({
          kind: 'pull-comment',
          pullNumber: pull.number,
          commentId: pull.comment.commentId,
          state: 'fixed',
          body: renderCiComment({ state: 'fixed', sha: input.sha, fixedJobs: pull.comment.failingJobs }),
          headSha: input.sha,
          failingJobs: [],
        });
      }
    }
  } else if (input.refresh && input.refresh.failing.length > 0 && input.commitState === 'failure') {
    const latest = input.refresh.failing[input.refresh.failing.length - 1] as RunReport;
    writes.push(failingStatus(input.sha, input.refresh.failing, latest.pageUrl));
    if (input.comment) writes.push(...failingComments(input.sha, input.refresh.failing, input.refresh.pulls));
  }
  if (input.closing) {
    const { closing } = input;
    writes.push({
      kind: 'close-issue',
      workflowId: closing.workflowId,
      issueNumber: closing.issueNumber,
      run: { runId: closing.runId, runAttempt: closing.runAttempt },
      body: `✅ **${escapeText(closing.workflow)}** passes on ${escapeText(closing.branch)} again at \`${input.sha.slice(0, 7)}\` ([run](${closing.runUrl})). Closing this issue.`,
    });
  }
  return writes;
}

/** Per workflow and event, the run GitHub started last. */
export function selectLatestRuns(runs: readonly CommitRun[]): CommitRun[] {
  const latest = new Map<string, CommitRun>();
  for (const run of runs) {
    const key = `${run.workflowId}|${run.event}`;
    const seen = latest.get(key);
    if (
      !seen ||
      run.runNumber > seen.runNumber ||
      (run.runNumber === seen.runNumber && run.runAttempt > seen.runAttempt)
    )
      latest.set(key, run);
  }
  return [...latest.values()];
}

/**
 * True when the latest run of every workflow on the commit passed. `passed` is the run whose
 * success event is being handled: GitHub's listing may still show it in progress.
 */
export function judgeCommitRuns(
  runs: readonly CommitRun[],
  passed: CommitRun,
  isIgnored: (run: CommitRun) => boolean,
): boolean {
  const listed = runs.some((run) => run.id === passed.id);
  const current = [...runs.map((run) => (run.id === passed.id ? passed : run)), ...(listed ? [] : [passed])];
  return selectLatestRuns(current)
    .filter((run) => !isIgnored(run))
    .every((run) => run.status === 'completed' && run.conclusion !== null && PASSED_CONCLUSIONS.has(run.conclusion));
}
