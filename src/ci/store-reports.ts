/**
 * Where Keel's CI reports live on GitHub: the one comment per pull request and the one tracking
 * issue per workflow on the default branch. Creating either is claimed first (a row without a
 * GitHub id), so two workers handling two failed runs at once never create two.
 */
import type { Store } from '../store/database.js';
import type { CiPullCommentsTable } from '../store/schema.js';

/** A claim older than this is abandoned (its worker died) and may be taken over. */
export const STALE_CLAIM_MS = 2 * 60_000;

export interface PullComment {
  repositoryId: number;
  pullNumber: number;
  commentId: number | null;
  headSha: string;
  state: 'creating' | 'failing' | 'fixed';
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

export interface PullCommentClaim {
  installationId: number;
  repositoryId: number;
  pullNumber: number;
  headSha: string;
}

/** True when this worker may create the pull request's comment (no comment known, no live claim). */
export async function claimPullComment(store: Store, claim: PullCommentClaim, now: number): Promise<boolean> {
  const inserted = await store.db
    .insertInto('ci_pull_comments')
    .values({
      repository_id: claim.repositoryId,
      pull_number: claim.pullNumber,
      installation_id: claim.installationId,
      comment_id: null,
      head_sha: claim.headSha,
      state: 'creating',
      failing_jobs: '[]',
      updated_at: now,
    })
    .onConflict((conflict) => conflict.columns(['repository_id', 'pull_number']).doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) return true;
  const taken = await store.db
    .updateTable('ci_pull_comments')
    .set({ updated_at: now })
    .where('repository_id', '=', claim.repositoryId)
    .where('pull_number', '=', claim.pullNumber)
    .where('comment_id', 'is', null)
    .where('updated_at', '<', now - STALE_CLAIM_MS)
    .executeTakeFirst();
  return Number(taken.numUpdatedRows) > 0;
}

/** Gives up a claim whose creation failed, so a retry may claim again. */
export async function releasePullCommentClaim(store: Store, repositoryId: number, pullNumber: number): Promise<void> {
  await store.db
    .deleteFrom('ci_pull_comments')
    .where('repository_id', '=', repositoryId)
    .where('pull_number', '=', pullNumber)
    .where('comment_id', 'is', null)
    .execute();
}

export async function savePullComment(
  store: Store,
  comment: PullCommentClaim & { commentId: number; state: 'failing' | 'fixed'; failingJobs: readonly string[] },
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
  state: 'opening' | 'open' | 'closed';
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
    state: row.state as TrackingIssue['state'],
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

export interface TrackingIssueClaim {
  installationId: number;
  repositoryId: number;
  workflowId: number;
  workflow: string;
  branch: string;
}

/** True when this worker may open the workflow's issue: none is open and nobody else is opening one. */
export async function claimTrackingIssue(store: Store, claim: TrackingIssueClaim, now: number): Promise<boolean> {
  const inserted = await store.db
    .insertInto('ci_tracking_issues')
    .values({
      repository_id: claim.repositoryId,
      workflow_id: claim.workflowId,
      installation_id: claim.installationId,
      workflow: claim.workflow,
      branch: claim.branch,
      issue_number: null,
      state: 'opening',
      last_run_id: null,
      last_run_attempt: null,
      updated_at: now,
    })
    .onConflict((conflict) => conflict.columns(['repository_id', 'workflow_id']).doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) return true;
  const taken = await store.db
    .updateTable('ci_tracking_issues')
    .set({ state: 'opening', issue_number: null, updated_at: now })
    .where('repository_id', '=', claim.repositoryId)
    .where('workflow_id', '=', claim.workflowId)
    .where((eb) =>
      eb.or([
        eb('state', '=', 'closed'),
        eb.and([eb('state', '=', 'opening'), eb('updated_at', '<', now - STALE_CLAIM_MS)]),
      ]),
    )
    .executeTakeFirst();
  return Number(taken.numUpdatedRows) > 0;
}

/** Gives up a claim whose issue could not be opened. */
export async function releaseTrackingIssueClaim(store: Store, repositoryId: number, workflowId: number): Promise<void> {
  await store.db
    .updateTable('ci_tracking_issues')
    .set({ state: 'closed' })
    .where('repository_id', '=', repositoryId)
    .where('workflow_id', '=', workflowId)
    .where('state', '=', 'opening')
    .execute();
}

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
