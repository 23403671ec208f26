/**
 * Reads one configuration file through the contents API (raw media type), conditionally: the
 * ETag of the copy cached for (repository, path) goes in If-None-Match, and GitHub's 304 (which
 * Octokit throws as a RequestError) means the cached copy is still current.
 */
import { ConfigError } from '../errors.js';
import { classifyGitHubError, statusOf } from '../github/errors.js';
import type { KeelOctokit } from '../github/octokit.js';
import type { ConfigCache } from './config-cache.js';

export type ContentsOctokit = Pick<KeelOctokit, 'request'>;

export interface ConfigFileLocation {
  owner: string;
  repo: string;
  path: string;
}

export interface ReadConfigFileOptions {
  octokit: ContentsOctokit;
  location: ConfigFileLocation;
  cache: ConfigCache;
  /** Host named in network error messages. */
  githubHost?: string;
}

export interface ConfigFileText {
  text: string;
  /** True when GitHub answered 304 and the cached copy was used. */
  fromCache: boolean;
}

/** The file's text, or null when it does not exist (at the repository's default branch). */
export async function readConfigFile({
  octokit,
  location,
  cache,
  githubHost,
}: ReadConfigFileOptions): Promise<ConfigFileText | null> {
  const { owner, repo, path } = location;
  const cached = cache.get(owner, repo, path);
  try {
    const response = await octokit.request('GET /repos/{owner}/{repo}/contents/{path}', {
      owner,
      repo,
      path,
      mediaType: { format: 'raw' },
      ...(cached ? { headers: { 'if-none-match': cached.etag } } : {}),
    });
    const data: unknown = response.data;
    if (typeof data !== 'string') {
      throw new ConfigError(
        `${owner}/${repo}:${path} is a directory or a submodule, not a file.`,
        `Make ${path} a YAML file, or remove it to use the defaults.`,
      );
    }
    const etag = response.headers.etag;
    if (etag) cache.set(owner, repo, path, { etag, text: data });
    return { text: data, fromCache: false };
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const status = statusOf(error);
    if (status === 304 && cached) return { text: cached.text, fromCache: true };
    if (status === 404) return null;
    throw classifyGitHubError(error, githubHost);
  }
}
