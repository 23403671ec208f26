/**
 * What every capability's GitHub calls share: the repository they target, failures classified
 * once (transient ones — 5xx, network, rate limit — reach the inbox as retryable GitHubErrors;
 * Keel's own refusals pass as they are), and the one idempotent write all of them make.
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
