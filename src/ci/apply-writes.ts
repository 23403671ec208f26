/**
 * Makes the writes `report.ts` planned, in order, and remembers what GitHub created (comment ids,
 * issue numbers) so later events edit instead of creating again. Creating a comment or an issue is
 * claimed in the store first; a delivery that finds another one creating it is retried.
 */
import type { Logger } from 'pino';
import type { KeelOctokit } from '../github/octokit.js';
import type { Store } from '../store/database.js';
import { CiReportBusyError } from './errors.js';
import { writeStatus, type RepositoryRef } from '../github/repository.js';
import { closeIssue, createComment, createIssue, ensureLabel, updateComment } from './github-writes.js';
import { findMarkedComment } from './github.js';
import { CI_COMMENT_MARKER } from './render.js';
import { CI_LABEL, type CiWrite } from './report.js';
import { saveCommitState } from './store.js';
import {
  claimPullComment,
  claimTrackingIssue,
  findPullComment,
  findTrackingIssue,
  releasePullCommentClaim,
  releaseTrackingIssueClaim,
  savePullComment,
  saveTrackingIssue,
} from './store-reports.js';

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
  for (const write of writes) {
    switch (write.kind) {
      case 'status':
        await writeStatus(context.octokit, context.ref, write.status);
        await saveCommitState(
          context.store,
          {
            installationId: context.installationId,
            repositoryId: context.repositoryId,
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
      case 'comment-issue':
        await createComment(context.octokit, context.ref, write.issueNumber, write.body);
        await saveTrackingIssue(
          context.store,
          {
            repositoryId: context.repositoryId,
            workflowId: write.workflowId,
            issueNumber: write.issueNumber,
            state: 'open',
          },
          write.run,
          context.now(),
        );
        break;
      case 'close-issue':
        await createComment(context.octokit, context.ref, write.issueNumber, write.body);
        await closeIssue(context.octokit, context.ref, write.issueNumber);
        await saveTrackingIssue(
          context.store,
          {
            repositoryId: context.repositoryId,
            workflowId: write.workflowId,
            issueNumber: write.issueNumber,
            state: 'closed',
          },
          null,
          context.now(),
        );
        break;
    }
  }
}

async function applyPullComment(context: ApplyCiWritesContext, write: Write<'pull-comment'>): Promise<void> {
  const { octokit, ref, store } = context;
  const claim = {
    installationId: context.installationId,
    repositoryId: context.repositoryId,
    pullNumber: write.pullNumber,
    headSha: write.headSha,
  };
  const save = (commentId: number) =>
    savePullComment(store, { ...claim, commentId, state: write.state, failingJobs: write.failingJobs }, context.now());

  if (write.commentId !== null) {
    if (await updateComment(octokit, ref, write.commentId, write.body)) return save(write.commentId);
    context.log.info(
      { pull: write.pullNumber, commentId: write.commentId },
      'Keel’s CI comment was deleted; looking again',
    );
  } else if (!(await claimPullComment(store, claim, context.now()))) {
    const existing = await findPullComment(store, context.repositoryId, write.pullNumber);
    if (existing?.commentId == null) throw new CiReportBusyError(`the CI comment on pull request #${write.pullNumber}`);
    if (await updateComment(octokit, ref, existing.commentId, write.body)) return save(existing.commentId);
  }
  if (write.state === 'fixed') return; // never post a "fixed" comment where none was kept
  try {
    const marked = await findMarkedComment(octokit, ref, write.pullNumber, CI_COMMENT_MARKER);
    if (marked !== null && (await updateComment(octokit, ref, marked, write.body))) return await save(marked);
    return await save(await createComment(octokit, ref, write.pullNumber, write.body));
  } catch (error) {
    await releasePullCommentClaim(store, context.repositoryId, write.pullNumber);
    throw error;
  }
}

async function applyOpenIssue(context: ApplyCiWritesContext, write: Write<'open-issue'>): Promise<void> {
  const { octokit, ref, store } = context;
  const claim = {
    installationId: context.installationId,
    repositoryId: context.repositoryId,
    workflowId: write.workflowId,
    workflow: write.workflow,
    branch: write.branch,
  };
  if (!(await claimTrackingIssue(store, claim, context.now()))) {
    const existing = await findTrackingIssue(store, context.repositoryId, write.workflowId);
    if (existing?.state !== 'open' || existing.issueNumber === null) {
      throw new CiReportBusyError(`the tracking issue of workflow ${write.workflow}`);
    }
    return applyCiWrites(context, [
      {
        kind: 'comment-issue',
        workflowId: write.workflowId,
        issueNumber: existing.issueNumber,
        body: write.commentBody,
        run: write.run,
      },
    ]);
  }
  try {
    if (write.createLabel) await ensureLabel(octokit, ref, CI_LABEL);
    const issueNumber = await createIssue(octokit, ref, {
      title: write.title,
      body: write.body,
      labels: [CI_LABEL.name],
    });
    await saveTrackingIssue(
      store,
      { repositoryId: context.repositoryId, workflowId: write.workflowId, issueNumber, state: 'open' },
      write.run,
      context.now(),
    );
  } catch (error) {
    await releaseTrackingIssueClaim(store, context.repositoryId, write.workflowId);
    throw error;
  }
}
