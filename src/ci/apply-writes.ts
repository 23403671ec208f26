/**
 * Makes the writes `report.ts` planned, in order, and remembers what GitHub created (comment ids,
 * issue numbers) so later events edit instead of creating again. The inbox runs the deliveries of
 * one pull request, and of one workflow on a branch, one at a time, so this is a plain executor:
 * before creating a comment or an issue it looks for one carrying Keel's hidden marker on GitHub
 * (the pull request's comment, the tracking issue, and each comment on it), so an attempt whose
 * create response was lost never creates a second one when it runs again.
 */
import type { Logger } from 'pino';
import type { KeelOctokit } from '../github/octokit.js';
import type { Store } from '../store/database.js';
import { classified, findMarkedComment, writeStatus, type RepositoryRef } from '../github/repository.js';
import {
  closeIssue,
  createComment,
  createIssue,
  createMarkedComment,
  ensureLabel,
  updateComment,
} from './github-writes.js';
import { CI_COMMENT_MARKER, trackingIssueMarker } from './render.js';
import { CI_LABEL, type CiWrite, type RunRef } from './report.js';
import { saveCommitState } from './store.js';
import { saveOpenedTrackingIssue, savePullComment, saveTrackingIssue } from './store-reports.js';

export interface ApplyCiWritesContext {
  octokit: KeelOctokit;
  ref: RepositoryRef;
  store: Store;
  installationId: number;
  repositoryId: number;
  log: Logger;
  now: () => number;
}

type Write<K extends CiWrite['kind']> = Extract<CiWrite, { kind: K }>;

export async function applyCiWrites(context: ApplyCiWritesContext, writes: readonly CiWrite[]): Promise<void> {
  const { octokit, ref, store, repositoryId } = context;
  for (const write of writes) {
    switch (write.kind) {
      case 'status':
        await writeStatus(octokit, ref, write.status);
        await saveCommitState(
          store,
          {
            installationId: context.installationId,
            repositoryId,
            headSha: write.status.sha,
            state: write.status.state,
          },
          context.now(),
        );
        break;
      case 'pull-comment':
        await applyPullComment(context, write);
        break;
      case 'open-issue':
        await applyOpenIssue(context, write);
        break;
      case 'comment-issue': {
        const marker = trackingCommentMarker('still-failing', write.issueNumber, write.run);
        await createMarkedComment(octokit, ref, write.issueNumber, { body: write.body, marker });
        const issue = { repositoryId, workflowId: write.workflowId, issueNumber: write.issueNumber };
        await saveTrackingIssue(store, { ...issue, state: 'open' }, write.run, context.now());
        break;
      }
      case 'close-issue': {
        const marker = trackingCommentMarker('closing', write.issueNumber, write.run);
        await createMarkedComment(octokit, ref, write.issueNumber, { body: write.body, marker });
        await closeIssue(octokit, ref, write.issueNumber);
        const issue = { repositoryId, workflowId: write.workflowId, issueNumber: write.issueNumber };
        await saveTrackingIssue(store, { ...issue, state: 'closed' }, null, context.now());
        break;
      }
    }
  }
}

async function applyPullComment(context: ApplyCiWritesContext, write: Write<'pull-comment'>): Promise<void> {
  const { octokit, ref } = context;
  const save = (commentId: number) =>
    savePullComment(
      context.store,
      {
        installationId: context.installationId,
        repositoryId: context.repositoryId,
        pullNumber: write.pullNumber,
        headSha: write.headSha,
        commentId,
        state: write.state,
        failingJobs: write.failingJobs,
      },
      context.now(),
    );

  if (write.commentId !== null) {
    if (await updateComment(octokit, ref, write.commentId, write.body)) return save(write.commentId);
    context.log.info(
      { pull: write.pullNumber, commentId: write.commentId },
      'Keel’s CI comment was deleted; looking again',
    );
  }
  if (write.state === 'fixed') return; // never post a "fixed" comment where none was kept
  const marked = await findMarkedComment(octokit, ref, write.pullNumber, CI_COMMENT_MARKER);
  if (marked !== null && (await updateComment(octokit, ref, marked, write.body))) return save(marked);
  return save(await createComment(octokit, ref, write.pullNumber, write.body));
}

async function applyOpenIssue(context: ApplyCiWritesContext, write: Write<'open-issue'>): Promise<void> {
  const { octokit, ref } = context;
  if (write.createLabel) await ensureLabel(octokit, ref, CI_LABEL);
  const marker = trackingIssueMarker(write.branch, write.workflow);
  const found = await findOpenMarkedIssue(octokit, ref, marker);
  let issueNumber: number;
  if (found === null) {
    issueNumber = await createIssue(octokit, ref, { title: write.title, body: write.body, labels: [CI_LABEL.name] });
  } else {
    issueNumber = found.number;
    // The issue opened for this very run (its create response was lost) needs nothing more.
    if (found.body !== write.body) {
      const marker = trackingCommentMarker('still-failing', issueNumber, write.run);
      await createMarkedComment(octokit, ref, issueNumber, { body: write.commentBody, marker });
    }
  }
  await saveOpenedTrackingIssue(
    context.store,
    {
      installationId: context.installationId,
      repositoryId: context.repositoryId,
      workflowId: write.workflowId,
      workflow: write.workflow,
      branch: write.branch,
      issueNumber,
    },
    write.run,
    context.now(),
  );
}

/**
 * The hidden marker of a comment on a tracking issue: one "still failing" comment per failed run
 * (attempt), one closing comment per passing run, found again on GitHub before creating another.
 */
function trackingCommentMarker(kind: 'still-failing' | 'closing', issueNumber: number, run: RunRef): string {
  return `<!-- keel:ci-${kind} #${issueNumber} run ${run.runId}/${run.runAttempt} -->`;
}

/** The open issue a bot opened with Keel's label and `marker` in its body, if any. */
function findOpenMarkedIssue(
  octokit: KeelOctokit,
  ref: RepositoryRef,
  marker: string,
): Promise<{ number: number; body: string } | null> {
  return classified(ref.githubHost, async () => {
    let found: { number: number; body: string } | null = null;
    await octokit.paginate(
      'GET /repos/{owner}/{repo}/issues',
      { owner: ref.owner, repo: ref.repo, labels: CI_LABEL.name, state: 'open', per_page: 100 },
      (response, done) => {
        const issue = response.data.find(
          (candidate) =>
            candidate.pull_request === undefined &&
            candidate.user?.type === 'Bot' &&
            (candidate.body ?? '').includes(marker),
        );
        if (issue) {
          found = { number: issue.number, body: issue.body ?? '' };
          done();
        }
        return [];
      },
    );
    return found;
  });
}
