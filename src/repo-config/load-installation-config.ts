/**
 * How every capability reads a repository's `.github/keel.yml`: with `contents: read` tokens of its
 * own, narrowed to the repositories the read may touch. The first token covers the repository (by
 * id) and the owner's `.github` repository (by name), so the organization fallback works when
 * `.github` is private. A base named by `_extends` in another repository of the same owner gets a
 * token of its own, naming that repository, once the chain reaches it.
 *
 * When the installation cannot see a repository named this way, GitHub refuses the whole token
 * request (422). Keel then mints without it and remembers (in the config cache, per installation,
 * for a while) not to ask again, so an installation without `.github` costs one failed request an
 * hour, not one a read. Without a token for it, a repository is read with the first token: a
 * public one still reads, a private one reads as missing.
 */
import type { Logger } from 'pino';
import { GitHubError } from '../github/errors.js';
import type { InstallationTokens, NarrowedTokenRequest } from '../github/installation-tokens.js';
import type { ConfigCache } from './config-cache.js';
import { loadRepoConfig, type LoadedRepoConfig } from './load-repo-config.js';
import type { ConfigFileLocation, ContentsOctokit } from './read-config-file.js';

/** What a config read needs, and nothing more. */
export const CONFIG_READ_PERMISSIONS = { contents: 'read' } as const;

/** The repository whose `.github/keel.yml` applies to every repository of its owner without one. */
export const ORGANIZATION_CONFIG_REPO = '.github';

export interface ConfigRepository {
  id: number;
  owner: string;
  name: string;
}

export interface LoadInstallationConfigOptions {
  tokens: InstallationTokens;
  cache: ConfigCache;
  installationId: number;
  repository: ConfigRepository;
  githubHost?: string;
  log?: Logger;
}

type Repositories = Pick<NarrowedTokenRequest, 'repositoryIds' | 'repositoryNames'>;

function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** GitHub's answer when a repository named in a token request is not accessible to the installation. */
function isInaccessible(error: unknown): boolean {
  return error instanceof GitHubError && error.status === 422;
}

/** Picks the token each file of the config chain is read with, minting it on first use. */
export function createConfigTokens(
  options: Omit<LoadInstallationConfigOptions, 'githubHost'>,
): (location: ConfigFileLocation) => Promise<ContentsOctokit> {
  const { tokens, cache, installationId, repository, log } = options;
  const owner = repository.owner;
  const mint = (repositories: Repositories) =>
    tokens.octokitFor({ installationId, permissions: CONFIG_READ_PERMISSIONS, ...repositories });
  const remember = (name: string) => {
    cache.markInaccessible(installationId, owner, name);
    log?.info(
      { installation: installationId, repository: `${owner}/${name}` },
      `${owner}/${name} is not accessible to installation ${installationId}; reading configuration without it for a while`,
    );
  };

  async function mintFirst(): Promise<ContentsOctokit> {
    const own: Repositories = { repositoryIds: [repository.id] };
    if (
      sameName(repository.name, ORGANIZATION_CONFIG_REPO) ||
      cache.isInaccessible(installationId, owner, ORGANIZATION_CONFIG_REPO)
    ) {
      return mint(own);
    }
    try {
      return await mint({ ...own, repositoryNames: [ORGANIZATION_CONFIG_REPO] });
    } catch (error) {
      if (!isInaccessible(error)) throw error;
      // Minted without `.github` first: should this fail too, `.github` was not the problem.
      const octokit = await mint(own);
      remember(ORGANIZATION_CONFIG_REPO);
      return octokit;
    }
  }

  let first: Promise<ContentsOctokit> | undefined;
  const firstToken = () => (first ??= mintFirst());

  async function mintSibling(name: string): Promise<ContentsOctokit> {
    if (cache.isInaccessible(installationId, owner, name)) return firstToken();
    try {
      return await mint({ repositoryNames: [name] });
    } catch (error) {
      if (!isInaccessible(error)) throw error;
      remember(name);
      return firstToken();
    }
  }

  return async (location) => {
    const covered =
      !sameName(location.owner, owner) || // another account: no token of this installation covers it
      sameName(location.repo, repository.name) ||
      sameName(location.repo, ORGANIZATION_CONFIG_REPO);
    return covered ? firstToken() : mintSibling(location.repo);
  };
}

/** The repository's configuration (see loadRepoConfig), read with narrowed config tokens. */
export function loadInstallationConfig(options: LoadInstallationConfigOptions): Promise<LoadedRepoConfig> {
  const { cache, repository, githubHost } = options;
  return loadRepoConfig({
    octokitFor: createConfigTokens(options),
    owner: repository.owner,
    repo: repository.name,
    cache,
    ...(githubHost ? { githubHost } : {}),
  });
}
