/** The GitHub reads and writes repair makes, each failure classified once (see github/repository.ts). */
import { parse } from 'yaml';
import { statusOf } from '../github/errors.js';
import type { KeelOctokit } from '../github/octokit.js';
import { classified, type RepositoryRef } from '../github/repository.js';
import type { WorkflowFile } from './store.js';

export const WORKFLOWS_DIRECTORY = '.github/workflows';

export type Conditional<T> = { notModified: true } | { notModified: false; etag: string | null; value: T };

function etagOf(headers: Record<string, unknown>): string | null {
  return typeof headers.etag === 'string' ? headers.etag : null;
}

export function readDefaultBranch(octokit: KeelOctokit, ref: RepositoryRef): Promise<string> {
  return classified(ref.githubHost, async () => {
    const { data } = await octokit.request('GET /repos/{owner}/{repo}', { owner: ref.owner, repo: ref.repo });
    return data.default_branch;
  });
}

/** The workflow files at `branch`, conditionally on `etag`; no directory is no workflows. */
export function listWorkflowFiles(
  octokit: KeelOctokit,
  ref: RepositoryRef,
  branch: string,
  etag: string | null,
): Promise<Conditional<WorkflowFile[]>> {
  return classified(ref.githubHost, async () => {
    try {
      const response = await octokit.request('GET /repos/{owner}/{repo}/contents/{path}', {
        owner: ref.owner,
        repo: ref.repo,
        path: WORKFLOWS_DIRECTORY,
        ref: branch,
        ...(etag ? { headers: { 'if-none-match': etag } } : {}),
      });
      const entries = Array.isArray(response.data) ? response.data : [];
      const files = entries
        .filter((entry) => entry.type === 'file' && /\.ya?ml$/.test(entry.name))
        .map((entry) => ({ path: entry.path, sha: entry.sha }));
      return { notModified: false as const, etag: etagOf(response.headers), value: files };
    } catch (error) {
      if (statusOf(error) === 304) return { notModified: true as const };
      if (statusOf(error) === 404) return { notModified: false as const, etag: null, value: [] };
      throw error;
    }
  });
}

export function readBlob(octokit: KeelOctokit, ref: RepositoryRef, sha: string): Promise<string> {
  return classified(ref.githubHost, async () => {
    const { data } = await octokit.request('GET /repos/{owner}/{repo}/git/blobs/{file_sha}', {
      owner: ref.owner,
      repo: ref.repo,
      file_sha: sha,
    });
    return Buffer.from(data.content, data.encoding === 'base64' ? 'base64' : 'utf8').toString('utf8');
  });
}

export interface BotPullRequest {
  number: number;
  state: 'open' | 'closed';
  merged: boolean;
  body: string;
  url: string;
}

/** Keel's pull requests from `branch`, newest first, conditionally on `etag`. */
export function listBotPullRequests(
  octokit: KeelOctokit,
  ref: RepositoryRef,
  branch: string,
  etag: string | null,
): Promise<Conditional<BotPullRequest[]>> {
  return classified(ref.githubHost, async () => {
    try {
      const response = await octokit.request('GET /repos/{owner}/{repo}/pulls', {
        owner: ref.owner,
        repo: ref.repo,
        head: `${ref.owner}:${branch}`,
        state: 'all',
        sort: 'created',
        direction: 'desc',
        per_page: 20,
        ...(etag ? { headers: { 'if-none-match': etag } } : {}),
      });
      const pulls = response.data.map((pull) => ({
        number: pull.number,
        state: pull.state === 'open' ? ('open' as const) : ('closed' as const),
        merged: Boolean(pull.merged_at),
        body: pull.body ?? '',
        url: pull.html_url,
      }));
      return { notModified: false as const, etag: etagOf(response.headers), value: pulls };
    } catch (error) {
      if (statusOf(error) === 304) return { notModified: true as const };
      throw error;
    }
  });
}

/** `runs.using` of the action at `directory` of `repository` at `ref`; null when it has no action.yml. */
export function readActionRuntime(
  octokit: KeelOctokit,
  host: string,
  action: { repository: string; directory: string; ref: string },
): Promise<string | null> {
  const [owner = '', repo = ''] = action.repository.split('/');
  return classified(host, async () => {
    for (const name of ['action.yml', 'action.yaml']) {
      try {
        const { data } = await octokit.request('GET /repos/{owner}/{repo}/contents/{path}', {
          owner,
          repo,
          path: action.directory ? `${action.directory}/${name}` : name,
          ref: action.ref,
          mediaType: { format: 'raw' },
        });
        const parsed: unknown = parse(String(data));
        const using = (parsed as { runs?: { using?: unknown } } | null)?.runs?.using;
        return typeof using === 'string' ? using.toLowerCase() : null;
      } catch (error) {
        if (statusOf(error) !== 404) throw error;
      }
    }
    return null;
  });
}

export function listTags(octokit: KeelOctokit, host: string, repository: string): Promise<string[]> {
  const [owner = '', repo = ''] = repository.split('/');
  return classified(host, async () => {
    const { data } = await octokit.request('GET /repos/{owner}/{repo}/tags', { owner, repo, per_page: 100 });
    return data.map((tag) => tag.name);
  });
}

/** The commit SHA a tag names. */
export function resolveCommit(octokit: KeelOctokit, host: string, repository: string, tag: string): Promise<string> {
  const [owner = '', repo = ''] = repository.split('/');
  return classified(host, async () => {
    const { data } = await octokit.request('GET /repos/{owner}/{repo}/commits/{ref}', {
      owner,
      repo,
      ref: tag,
      mediaType: { format: 'sha' },
    });
    return String(data as unknown).trim();
  });
}
