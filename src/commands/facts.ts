/**
 * The reads commands need, each made at most once per command comment: the pull request, the
 * commenter's role on the repository, stored CI runs.
 */
import { statusOf } from '../github/errors.js';
import type { KeelOctokit } from '../github/octokit.js';
import { classified, type RepositoryRef } from '../github/repository.js';
import { readRun, type StoredRun } from '../ci/store.js';
import type { Store } from '../store/database.js';

/** The fields of GET /repos/{owner}/{repo}/pulls/{number} commands read (the webhook's pull_request shape). */
export interface PullRequestFacts {
  number: number;
  state: string;
  title: string;
  body: string | null;
  updated_at: string;
  changed_files?: number;
  head: { sha: string };
}

export function readPullRequest(octokit: KeelOctokit, ref: RepositoryRef, number: number): Promise<PullRequestFacts> {
  return classified(ref.githubHost, async () => {
    const { data } = await octokit.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', {
      owner: ref.owner,
      repo: ref.repo,
      pull_number: number,
    });
    return data as PullRequestFacts;
  });
}

export interface Role {
  /** admin, write, read or none: the base permission (maintain counts as write, triage as read). */
  permission: string;
  /** admin, maintain, write, triage, read, a custom role's name, or none. */
  name: string;
}

/** The commenter's role on the repository, asked of GitHub (never taken from the payload). */
export function readRole(octokit: KeelOctokit, ref: RepositoryRef, login: string): Promise<Role> {
  return classified(ref.githubHost, async () => {
    try {
      const { data } = await octokit.request('GET /repos/{owner}/{repo}/collaborators/{username}/permission', {
        owner: ref.owner,
        repo: ref.repo,
        username: login,
      });
      return { permission: data.permission, name: data.role_name || data.permission };
    } catch (error) {
      if (statusOf(error) === 404) return { permission: 'none', name: 'none' };
      throw error;
    }
  });
}

/** The latest attempt Keel stored of a run of this repository. */
export async function findStoredRun(store: Store, repositoryId: number, runId: number): Promise<StoredRun | undefined> {
  const row = await store.db
    .selectFrom('ci_runs')
    .select('id')
    .where('repository_id', '=', repositoryId)
    .where('run_id', '=', runId)
    .orderBy('run_attempt', 'desc')
    .executeTakeFirst();
  return row && readRun(store, row.id);
}
