/** The GitHub reads pr-checks makes, each failure classified once (see github/repository.ts). */
import { statusOf } from '../github/errors.js';
import type { KeelOctokit } from '../github/octokit.js';
import { classified, type RepositoryRef } from '../github/repository.js';
import type { ChangedFile } from './types.js';

/** The pull request's changed files, 100 a page; GitHub stops after 3,000. */
export function listChangedFiles(octokit: KeelOctokit, ref: RepositoryRef, pullNumber: number): Promise<ChangedFile[]> {
  return classified(ref.githubHost, async () => {
    const files = await octokit.paginate('GET /repos/{owner}/{repo}/pulls/{pull_number}/files', {
      owner: ref.owner,
      repo: ref.repo,
      pull_number: pullNumber,
      per_page: 100,
    });
    return files.map((file): ChangedFile => ({
      filename: file.filename,
      status: file.status,
      additions: file.additions,
      deletions: file.deletions,
      changes: file.changes,
      ...(file.patch !== undefined ? { patch: file.patch } : {}),
      ...(file.previous_filename !== undefined ? { previous_filename: file.previous_filename } : {}),
    }));
  });
}

/** The full text of each path at `sha` (raw media type); a path GitHub cannot find is left out. */
export async function readFilesAt(
  octokit: KeelOctokit,
  ref: RepositoryRef,
  sha: string,
  paths: readonly string[],
): Promise<Map<string, string>> {
  const contents = new Map<string, string>();
  await Promise.all(
    paths.map((path) =>
      classified(ref.githubHost, async () => {
        try {
          const { data } = await octokit.request('GET /repos/{owner}/{repo}/contents/{path}', {
            owner: ref.owner,
            repo: ref.repo,
            path,
            ref: sha,
            mediaType: { format: 'raw' },
          });
          if (typeof data === 'string') contents.set(path, data);
        } catch (error) {
          if (statusOf(error) !== 404) throw error;
        }
      }),
    ),
  );
  return contents;
}
