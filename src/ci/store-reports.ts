/**
 * Where Keel's CI reports live on GitHub: the one comment per pull request and the one tracking
 * issue per workflow on the default branch. The inbox runs the deliveries of one pull request (and
 * of one workflow on a branch) one at a time, so these rows need no claims; a row lost or never
 * written is made good by finding the comment or issue by its hidden marker on GitHub.
 */
import type { Store } from '../store/database.js';
import type { CiPullCommentsTable } from '../store/schema.js';

export interface PullComment {
  repositoryId: number;
  pullNumber: number;
  /** Null in rows written before comments were found by marker (then: look it up). */
  commentId: number | null;
  headSha: string;
  state: 'failing' | 'fixed';
  failingJobs: string[];
  updatedAt: number;
}

type PullCommentRow = Pick<CiPullCommentsTable, (typeof PULL_COMMENT_COLUMNS)[number]>;

function toPullComment(row: PullCommentRow): PullComment {
  return {
    repositoryId: Number(row.repository_id),
    pullNumber: row.pull_number,
    commentId: row.comment_id === null ? null : Number(row.comment_id),
    headSha: row.head_sha,
    state: row.state as PullComment['state'],
    failingJobs: JSON.parse(row.failing_jobs) as string[],
    updatedAt: Number(row.updated_at),
  };
}

const PULL_COMMENT_COLUMNS = [
  'repository_id',
  'pull_number',
  'comment_id',
  'head_sha',
  'state',
  'failing_jobs',
  'updated_at',
] as const;

export async function findPullComment(
  store: Store,
  repositoryId: number,
  pullNumber: number,
): Promise<PullComment | undefined> {
  const row = await store.db
    .selectFrom('ci_pull_comments')
    .select(PULL_COMMENT_COLUMNS)
    .where('repository_id', '=', repositoryId)
    .where('pull_number', '=', pullNumber)
    .executeTakeFirst();
  return row && toPullComment(row);
}

/** Pull requests whose comment reports `headSha` failing. */
export async function findFailingPullComments(
  store: Store,
  repositoryId: number,
  headSha: string,
): Promise<PullComment[]> {
  const rows = await store.db
    .selectFrom('ci_pull_comments')
    .select(PULL_COMMENT_COLUMNS)
    .where('repository_id', '=', repositoryId)
    .where('head_sha', '=', headSha)
    .where('state', '=', 'failing')
    .execute();
  return rows.map(toPullComment);
}

export interface PullCommentKey {
  installationId: number;
  repositoryId: number;
  pullNumber: number;
  headSha: string;
}

export async function savePullComment(
  store: Store,
  comment: PullCommentKey & { commentId: number; state: 'failing' | 'fixed'; failingJobs: readonly string[] },
  now: number,
): Promise<void> {
  const values = {
    installation_id: comment.installationId,
    comment_id: comment.commentId,
    head_sha: comment.headSha,
    state: comment.state,
    failing_jobs: JSON.stringify(comment.failingJobs),
    updated_at: now,
  };
  await store.db
    .insertInto('ci_pull_comments')
    .values({ repository_id: comment.repositoryId, pull_number: comment.pullNumber, ...values })
    .onConflict((conflict) => conflict.columns(['repository_id', 'pull_number']).doUpdateSet(values))
    .execute();
}

// ---------------------------------------------------------------- tracking issues

export interface TrackingIssue {
  repositoryId: number;
  workflowId: number;
  workflow: string;
  branch: string;
  issueNumber: number | null;
  /** 'open' or 'closed'; rows from older versions may say 'opening' (treated as not open). */
  state: string;
  lastRunId: number | null;
  lastRunAttempt: number | null;
  updatedAt: number;
}

export async function findTrackingIssue(
  store: Store,
  repositoryId: number,
  workflowId: number,
): Promise<TrackingIssue | undefined> {
  const row = await store.db
    .selectFrom('ci_tracking_issues')
    .selectAll()
    .where('repository_id', '=', repositoryId)
    .where('workflow_id', '=', workflowId)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    repositoryId: Number(row.repository_id),
    workflowId: Number(row.workflow_id),
    workflow: row.workflow,
    branch: row.branch,
    issueNumber: row.issue_number,
    state: row.state,
    lastRunId: row.last_run_id === null ? null : Number(row.last_run_id),
    lastRunAttempt: row.last_run_attempt,
    updatedAt: Number(row.updated_at),
  };
}

/** True once Keel opened any tracking issue in the repository (so its label exists). */
export async function hasOpenedTrackingIssue(store: Store, repositoryId: number): Promise<boolean> {
  const row = await store.db
    .selectFrom('ci_tracking_issues')
    .select('workflow_id')
    .where('repository_id', '=', repositoryId)
    .where('issue_number', 'is not', null)
    .executeTakeFirst();
  return row !== undefined;
}

export interface OpenedTrackingIssue {
  installationId: number;
  repositoryId: number;
  workflowId: number;
  workflow: string;
  branch: string;
  issueNumber: number;
}

/** Remembers the workflow's open tracking issue (opened now, or found on GitHub by its marker). */
export async function saveOpenedTrackingIssue(
  store: Store,
  issue: OpenedTrackingIssue,
  lastRun: { runId: number; runAttempt: number },
  now: number,
): Promise<void> {
  const values = {
    installation_id: issue.installationId,
    workflow: issue.workflow,
    branch: issue.branch,
    issue_number: issue.issueNumber,
    state: 'open',
    last_run_id: lastRun.runId,
    last_run_attempt: lastRun.runAttempt,
    updated_at: now,
  };
  await store.db
    .insertInto('ci_tracking_issues')
    .values({ repository_id: issue.repositoryId, workflow_id: issue.workflowId, ...values })
    .onConflict((conflict) => conflict.columns(['repository_id', 'workflow_id']).doUpdateSet(values))
    .execute();
}

/** Records a comment on, or the closing of, a tracking issue Keel already knows. */
export async function saveTrackingIssue(
  store: Store,
  issue: { repositoryId: number; workflowId: number; issueNumber: number; state: 'open' | 'closed' },
  lastRun: { runId: number; runAttempt: number } | null,
  now: number,
): Promise<void> {
  await store.db
    .updateTable('ci_tracking_issues')
    .set({
      issue_number: issue.issueNumber,
      state: issue.state,
      updated_at: now,
      ...(lastRun ? { last_run_id: lastRun.runId, last_run_attempt: lastRun.runAttempt } : {}),
    })
    .where('repository_id', '=', issue.repositoryId)
    .where('workflow_id', '=', issue.workflowId)
    .execute();
}
