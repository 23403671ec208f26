/**
 * Repair's writes: one commit on a `keel/` branch through the Git Data API (blobs, tree, commit,
 * ref), and the pull request from it. The request guard refuses anything else before it leaves.
 */
import { KeelError } from '../errors.js';
import { statusOf } from '../github/errors.js';
import type { KeelOctokit } from '../github/octokit.js';
import { classified, findMarkedComment, type RepositoryRef } from '../github/repository.js';

export interface BranchFile {
  path: string;
  text: string;
  /** The blob SHA `text` was made from (null: a file that did not exist). */
  basedOn: string | null;
}

export interface BranchCommit {
  /** The default branch the commit is made on top of. */
  base: string;
  /** `keel/…` */
  branch: string;
  message: string;
  files: BranchFile[];
}

/**
 * A file Keel rewrites changed on the default branch after Keel read it: a commit on top of the
 * new head would undo that push. The caller reads the files again.
 */
export class BaseMovedError extends KeelError {
  readonly paths: string[];

  constructor(base: string, paths: string[]) {
    super(
      'REPAIR_BASE_MOVED',
      `${paths.join(', ')} changed on ${base} after Keel read ${paths.length === 1 ? 'it' : 'them'}.`,
      'Nothing to do: Keel reads the files again at the new head and builds on it.',
    );
    this.paths = paths;
  }
}

/**
 * Commits `files` on top of the base's head and points `branch` at it (created, or moved). The
 * head is used only when every file is still what its text was made from there; otherwise
 * BaseMovedError, and nothing is written.
 */
export function commitToBranch(octokit: KeelOctokit, ref: RepositoryRef, commit: BranchCommit): Promise<string> {
  const repo = { owner: ref.owner, repo: ref.repo };
  return classified(ref.githubHost, async () => {
    const { data: head } = await octokit.request('GET /repos/{owner}/{repo}/git/ref/{ref}', {
      ...repo,
      ref: `heads/${commit.base}`,
    });
    const moved = await listMovedFiles(octokit, ref, head.object.sha, commit.files);
    if (moved.length > 0) throw new BaseMovedError(commit.base, moved);
    const { data: parent } = await octokit.request('GET /repos/{owner}/{repo}/git/commits/{commit_sha}', {
      ...repo,
      commit_sha: head.object.sha,
    });
    const blobs = await Promise.all(
      commit.files.map(async (file) => {
        const { data } = await octokit.request('POST /repos/{owner}/{repo}/git/blobs', {
          ...repo,
          content: file.text,
          encoding: 'utf-8',
        });
        return { path: file.path, mode: '100644' as const, type: 'blob' as const, sha: data.sha };
      }),
    );
    const { data: tree } = await octokit.request('POST /repos/{owner}/{repo}/git/trees', {
      ...repo,
      base_tree: parent.tree.sha,
      tree: blobs,
    });
    const { data: created } = await octokit.request('POST /repos/{owner}/{repo}/git/commits', {
      ...repo,
      message: commit.message,
      tree: tree.sha,
      parents: [head.object.sha],
    });
    try {
      await octokit.request('POST /repos/{owner}/{repo}/git/refs', {
        ...repo,
        ref: `refs/heads/${commit.branch}`,
        sha: created.sha,
      });
    } catch (error) {
      if (statusOf(error) !== 422) throw error;
      // The branch is left from an earlier pull request: move it.
      await octokit.request('PATCH /repos/{owner}/{repo}/git/refs/{ref}', {
        ...repo,
        ref: `heads/${commit.branch}`,
        sha: created.sha,
        force: true,
      });
    }
    return created.sha;
  });
}

/** The files whose blob at `sha` is not the one their text was made from, read one directory listing at a time. */
async function listMovedFiles(
  octokit: KeelOctokit,
  ref: RepositoryRef,
  sha: string,
  files: readonly BranchFile[],
): Promise<string[]> {
  const directories = [...new Set(files.map((file) => file.path.slice(0, Math.max(0, file.path.lastIndexOf('/')))))];
  const blobs = new Map<string, string>();
  for (const directory of directories) {
    try {
      const { data } = await octokit.request('GET /repos/{owner}/{repo}/contents/{path}', {
        owner: ref.owner,
        repo: ref.repo,
        path: directory,
        ref: sha,
      });
      for (const entry of Array.isArray(data) ? data : []) if (entry.type === 'file') blobs.set(entry.path, entry.sha);
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
    }
  }
  return files.filter((file) => (blobs.get(file.path) ?? null) !== file.basedOn).map((file) => file.path);
}

export interface NewPullRequest {
  title: string;
  body: string;
  head: string;
  base: string;
}

export function openPullRequest(
  octokit: KeelOctokit,
  ref: RepositoryRef,
  pull: NewPullRequest,
): Promise<{ number: number; url: string }> {
  return classified(ref.githubHost, async () => {
    const { data } = await octokit.request('POST /repos/{owner}/{repo}/pulls', {
      owner: ref.owner,
      repo: ref.repo,
      ...pull,
      maintainer_can_modify: true,
    });
    return { number: data.number, url: data.html_url };
  });
}

export function editPullRequest(
  octokit: KeelOctokit,
  ref: RepositoryRef,
  number: number,
  changes: { title?: string; body?: string; state?: 'closed' },
): Promise<void> {
  return classified(ref.githubHost, async () => {
    await octokit.request('PATCH /repos/{owner}/{repo}/pulls/{pull_number}', {
      owner: ref.owner,
      repo: ref.repo,
      pull_number: number,
      ...changes,
    });
  });
}

/**
 * A comment on the pull request's conversation, ending with the hidden `marker` and made once: a bot
 * comment already carrying it (an earlier attempt whose close failed, or whose answer was lost) is
 * not repeated, and the create is not retried in-process (a 5xx may come after GitHub made it).
 * GitHub lists "Create an issue comment" under both "Issues" and "Pull requests" write for GitHub
 * Apps (docs.github.com/en/rest/issues/comments#create-an-issue-comment, "Fine-grained access
 * tokens": at least one of the two), so repair's pull_requests: write is enough.
 */
export async function commentOnPullRequest(
  octokit: KeelOctokit,
  ref: RepositoryRef,
  number: number,
  { body, marker }: { body: string; marker: string },
): Promise<void> {
  if ((await findMarkedComment(octokit, ref, number, marker)) !== null) return;
  await classified(ref.githubHost, () =>
    octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      owner: ref.owner,
      repo: ref.repo,
      issue_number: number,
      body: `${body}\n\n${marker}`,
      request: { retries: 0 },
    }),
  );
}
