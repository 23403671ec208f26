/**
 * The GitHub writes the CI capability makes, each idempotent by what it targets: a status by its
 * context, a comment or an issue by the id Keel stored for it or by its hidden marker, a label by
 * its name.
 */
import { GitHubError, statusOf } from '../github/errors.js';
import type { KeelOctokit } from '../github/octokit.js';
import { classified, findMarkedComment, type RepositoryRef } from '../github/repository.js';

/**
 * Creates are not retried in-process: a 5xx may come after GitHub created the comment or issue.
 * The delivery's retry looks for it by its marker first (apply-writes.ts) instead.
 */
const NO_RETRY = { retries: 0 };

/** Adds a comment to an issue or pull request; returns its id. */
export function createComment(
  octokit: KeelOctokit,
  ref: RepositoryRef,
  issueNumber: number,
  body: string,
): Promise<number> {
  return classified(ref.githubHost, async () => {
    const { data } = await octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      owner: ref.owner,
      repo: ref.repo,
      issue_number: issueNumber,
      body,
      request: NO_RETRY,
    });
    return Number(data.id);
  });
}

/**
 * Adds a comment ending with the hidden `marker`, unless a bot comment carrying it is there already:
 * a comment GitHub created before its answer was lost (a 502) is found on the retry, not repeated.
 * Returns the comment's id.
 */
export async function createMarkedComment(
  octokit: KeelOctokit,
  ref: RepositoryRef,
  issueNumber: number,
  { body, marker }: { body: string; marker: string },
): Promise<number> {
  const found = await findMarkedComment(octokit, ref, issueNumber, marker);
  return found ?? createComment(octokit, ref, issueNumber, `${body}\n\n${marker}`);
}

/** Replaces a comment's body; false when the comment is gone (deleted by someone). */
export function updateComment(
  octokit: KeelOctokit,
  ref: RepositoryRef,
  commentId: number,
  body: string,
): Promise<boolean> {
  return classified(ref.githubHost, async () => {
    try {
      await octokit.request('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', {
        owner: ref.owner,
        repo: ref.repo,
        comment_id: commentId,
        body,
      });
      return true;
    } catch (error) {
      if (statusOf(error) === 404) return false;
      throw error;
    }
  });
}

export interface LabelSpec {
  name: string;
  color: string;
  description: string;
}

/** Creates the label; one that already exists (422 already_exists) is fine. */
export function ensureLabel(octokit: KeelOctokit, ref: RepositoryRef, label: LabelSpec): Promise<void> {
  return classified(ref.githubHost, async () => {
    try {
      await octokit.request('POST /repos/{owner}/{repo}/labels', { owner: ref.owner, repo: ref.repo, ...label });
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
    }
  });
}

function isAlreadyExists(error: unknown): boolean {
  if (error instanceof GitHubError || statusOf(error) !== 422) return false;
  const data = (error as { response?: { data?: { errors?: { code?: string }[] } } }).response?.data;
  // GitHub sends errors: [{ resource: 'Label', code: 'already_exists', field: 'name' }].
  return data?.errors === undefined || data.errors.some((entry) => entry.code === 'already_exists');
}

/** Opens an issue; returns its number. */
export function createIssue(
  octokit: KeelOctokit,
  ref: RepositoryRef,
  issue: { title: string; body: string; labels: string[] },
): Promise<number> {
  return classified(ref.githubHost, async () => {
    const { data } = await octokit.request('POST /repos/{owner}/{repo}/issues', {
      owner: ref.owner,
      repo: ref.repo,
      ...issue,
      request: NO_RETRY,
    });
    return data.number;
  });
}

/** Closes an issue as completed. */
export function closeIssue(octokit: KeelOctokit, ref: RepositoryRef, issueNumber: number): Promise<void> {
  return classified(ref.githubHost, async () => {
    await octokit.request('PATCH /repos/{owner}/{repo}/issues/{issue_number}', {
      owner: ref.owner,
      repo: ref.repo,
      issue_number: issueNumber,
      state: 'closed',
      state_reason: 'completed',
    });
  });
}
