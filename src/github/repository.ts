/**
 * What every capability's GitHub calls share: the repository they target, failures classified
 * once (transient ones — 5xx, network, rate limit — reach the inbox as retryable GitHubErrors;
 * Keel's own refusals pass as they are), the one idempotent write all of them make, and the lookup
 * of a comment Keel marked, which makes a comment create safe to retry.
 */
import { KeelError } from '../errors.js';
import { classifyGitHubError } from './errors.js';
import type { KeelOctokit } from './octokit.js';

export interface RepositoryRef {
  owner: string;
  repo: string;
  /** Host named in network error messages. */
  githubHost: string;
}

export async function classified<T>(host: string, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    throw error instanceof KeelError ? error : classifyGitHubError(error, host);
  }
}

export type CommitState = 'pending' | 'success' | 'failure' | 'error';

/** GitHub's limit for a commit status description. */
export const STATUS_DESCRIPTION_LIMIT = 140;

/** `text` cut to GitHub's description limit, an ellipsis marking the cut. */
export function fitStatusDescription(text: string): string {
  return text.length <= STATUS_DESCRIPTION_LIMIT ? text : `${text.slice(0, STATUS_DESCRIPTION_LIMIT - 1)}…`;
}

export interface CommitStatus<State extends CommitState = CommitState> {
  sha: string;
  state: State;
  description: string;
  target_url?: string;
  context: string;
}

/** Writes a commit status (idempotent: GitHub keeps the latest per context and SHA). */
export function writeStatus(octokit: KeelOctokit, ref: RepositoryRef, status: CommitStatus): Promise<void> {
  const { sha, ...body } = status;
  return classified(ref.githubHost, async () => {
    await octokit.request('POST /repos/{owner}/{repo}/statuses/{sha}', {
      owner: ref.owner,
      repo: ref.repo,
      sha,
      ...body,
    });
  });
}

/** The id of the bot comment on an issue or pull request that carries `marker`, if any. */
export function findMarkedComment(
  octokit: KeelOctokit,
  ref: RepositoryRef,
  issueNumber: number,
  marker: string,
): Promise<number | null> {
  return classified(ref.githubHost, async () => {
    let found: number | null = null;
    await octokit.paginate(
      'GET /repos/{owner}/{repo}/issues/{issue_number}/comments',
      { owner: ref.owner, repo: ref.repo, issue_number: issueNumber, per_page: 100 },
      (response, done) => {
        const comment = response.data.find(
          (candidate) => candidate.user?.type === 'Bot' && (candidate.body ?? '').includes(marker),
        );
        if (comment) {
          found = comment.id;
          done();
        }
        return [];
      },
    );
    return found;
  });
}
