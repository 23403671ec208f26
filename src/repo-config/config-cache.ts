/**
 * Remembers, per (repository, path), the last configuration file GitHub sent and its ETag, so the
 * next read is a conditional request: a 304 answer costs no rate limit and reuses the copy here.
 * Least recently used entries go first once `maxEntries` is reached.
 *
 * It also remembers, for a while, which repositories an installation cannot grant a config-read
 * token for (GitHub answered 422, e.g. the organization's `.github` repository is not among the
 * installation's repositories), so reading config does not cost a failed request each time.
 */

export interface CachedConfigFile {
  etag: string;
  text: string;
}

export interface ConfigCache {
  get(owner: string, repo: string, path: string): CachedConfigFile | undefined;
  set(owner: string, repo: string, path: string, file: CachedConfigFile): void;
  readonly size: number;
  /** Remembers for `inaccessibleForMs` that the installation cannot grant access to `owner/repo`. */
  markInaccessible(installationId: number, owner: string, repo: string): void;
  isInaccessible(installationId: number, owner: string, repo: string): boolean;
}

export interface ConfigCacheOptions {
  maxEntries?: number;
  /** How long a repository found inaccessible stays so (default 1 hour). */
  inaccessibleForMs?: number;
  now?: () => number;
}

function keyOf(owner: string, repo: string, path: string): string {
  // GitHub owner and repository names are case-insensitive; paths are not.
  return `${owner.toLowerCase()}/${repo.toLowerCase()}:${path}`;
}

function accessKeyOf(installationId: number, owner: string, repo: string): string {
  return `${installationId}|${owner.toLowerCase()}/${repo.toLowerCase()}`;
}

export function createConfigCache({
  maxEntries = 2_000,
  inaccessibleForMs = 60 * 60 * 1000,
  now = Date.now,
}: ConfigCacheOptions = {}): ConfigCache {
  const entries = new Map<string, CachedConfigFile>();
  /** Access key → until when (epoch ms). */
  const inaccessible = new Map<string, number>();
  return {
    get(owner, repo, path) {
      const key = keyOf(owner, repo, path);
      const entry = entries.get(key);
      if (entry) {
        // Map keeps insertion order: re-inserting marks the entry as most recently used.
        entries.delete(key);
        entries.set(key, entry);
      }
      return entry;
    },
    set(owner, repo, path, file) {
      const key = keyOf(owner, repo, path);
      entries.delete(key);
      entries.set(key, file);
      while (entries.size > maxEntries) {
        const oldest = entries.keys().next().value;
        if (oldest === undefined) break;
        entries.delete(oldest);
      }
    },
    get size() {
      return entries.size;
    },
    markInaccessible(installationId, owner, repo) {
      const current = now();
      const key = accessKeyOf(installationId, owner, repo);
      inaccessible.delete(key);
      for (const [key, until] of inaccessible) if (until <= current) inaccessible.delete(key);
      while (inaccessible.size >= maxEntries) {
        const oldest = inaccessible.keys().next().value;
        if (oldest === undefined) break;
        inaccessible.delete(oldest);
      }
      inaccessible.set(key, current + inaccessibleForMs);
    },
    isInaccessible(installationId, owner, repo) {
      const until = inaccessible.get(accessKeyOf(installationId, owner, repo));
      return until !== undefined && until > now();
    },
  };
}
