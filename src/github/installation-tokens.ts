/**
 * Least privilege: every job asks for an installation token narrowed to the repositories and
 * permissions it needs, minted through the app-authenticated Octokit
 * (POST /app/installations/{id}/access_tokens; Probot's own `auth({ repositoryNames })` path
 * ignores GHE_HOST). Tokens are cached per (installation, repositories by id and by name,
 * permissions) until shortly before they expire. The Octokit handed out also refuses, locally, the
 * writes its permissions do not cover, so a mistake shows up as a clear error rather than a 403.
 */
import type { Logger } from 'pino';
import type { PermissionSet } from '../capabilities.js';
import { classifyGitHubError } from './errors.js';
import { assertScopeAllows } from './token-scope.js';
import type { KeelOctokit, KeelOctokitClass } from './octokit.js';

export interface NarrowedTokenRequest {
  installationId: number;
  /** Omit (with `repositoryNames`) for every repository the installation can see. */
  repositoryIds?: readonly number[];
  /**
   * Repositories of the installation's account by name (no owner), alongside or instead of
   * `repositoryIds`. GitHub answers 422 when one of them is not accessible to the installation.
   */
  repositoryNames?: readonly string[];
  permissions: PermissionSet;
}

export interface InstallationTokensOptions {
  /** The app-authenticated Octokit (JWT). */
  appOctokit: () => Promise<KeelOctokit>;
  Octokit: KeelOctokitClass;
  githubHost?: string;
  /** Keel's (scrubbing) logger, for Octokit's own warnings; Octokit logs to the console without it. */
  log?: Logger;
  now?: () => number;
  /** Renew this long before GitHub's expiry (default 5 minutes). */
  refreshMarginMs?: number;
  maxEntries?: number;
}

interface CachedToken {
  octokit: KeelOctokit;
  expiresAt: number;
}

export interface InstallationTokens {
  /** An Octokit authenticated with a token narrowed as asked. */
  octokitFor(request: NarrowedTokenRequest): Promise<KeelOctokit>;
  /** Forgets an installation's tokens (uninstalled, permissions changed). */
  forget(installationId: number): void;
}

function cacheKey({ installationId, repositoryIds, repositoryNames, permissions }: NarrowedTokenRequest): string {
  const ids = repositoryIds ? [...repositoryIds].sort((a, b) => a - b).join(',') : '*';
  // Repository names are case-insensitive on GitHub.
  const names = repositoryNames ? [...new Set(repositoryNames.map((name) => name.toLowerCase()))].sort().join(',') : '';
  const repositories = repositoryNames ? `${repositoryIds ? ids : ''};${names}` : ids;
  const scopes = Object.entries(permissions)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, level]) => `${name}:${level}`)
    .join(',');
  return `${installationId}|${repositories}|${scopes}`;
}

export function createInstallationTokens(options: InstallationTokensOptions): InstallationTokens {
  const {
    appOctokit,
    Octokit,
    githubHost,
    log,
    now = Date.now,
    refreshMarginMs = 5 * 60_000,
    maxEntries = 5_000,
  } = options;
  const cache = new Map<string, CachedToken>();
  const inFlight = new Map<string, Promise<KeelOctokit>>();

  async function mint(request: NarrowedTokenRequest): Promise<CachedToken> {
    const app = await appOctokit();
    try {
      const { data } = await app.request('POST /app/installations/{installation_id}/access_tokens', {
        installation_id: request.installationId,
        ...(request.repositoryIds ? { repository_ids: [...request.repositoryIds] } : {}),
        ...(request.repositoryNames ? { repositories: [...request.repositoryNames] } : {}),
        // Keel asks only for read or write levels (capabilities.ts), the levels this endpoint takes.
        permissions: request.permissions as Record<string, 'read' | 'write'>,
      });
      const octokit = new Octokit({
        auth: { token: data.token },
        ...(log ? { log } : {}),
        keelActor: String(request.installationId),
      } as ConstructorParameters<KeelOctokitClass>[0]);
      const granted = (data.permissions ?? {}) as Record<string, string>;
      octokit.hook.before('request', (endpoint) => {
        const { method, url } = octokit.request.endpoint.parse(endpoint);
        assertScopeAllows(granted, method, url);
      });
      return { octokit, expiresAt: Date.parse(data.expires_at) };
    } catch (error) {
      throw classifyGitHubError(error, githubHost);
    }
  }

  function evict(): void {
    const current = now();
    for (const [key, entry] of cache) if (entry.expiresAt - refreshMarginMs <= current) cache.delete(key);
    while (cache.size >= maxEntries) {
      const oldest = cache.keys().next().value;
      if (oldest === undefined) break;
      cache.delete(oldest);
    }
  }

  return {
    async octokitFor(request) {
      const key = cacheKey(request);
      const cached = cache.get(key);
      if (cached && cached.expiresAt - refreshMarginMs > now()) return cached.octokit;
      const pending = inFlight.get(key);
      if (pending) return pending;
      const minting = mint(request)
        .then((entry) => {
          evict();
          cache.set(key, entry);
          return entry.octokit;
        })
        .finally(() => inFlight.delete(key));
      inFlight.set(key, minting);
      return minting;
    },
    forget(installationId) {
      for (const key of cache.keys()) if (key.startsWith(`${installationId}|`)) cache.delete(key);
    },
  };
}
