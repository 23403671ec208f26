/**
 * Remembers, per (repository, path), the last configuration file GitHub sent and its ETag, so the
 * next read is a conditional request: a 304 answer costs no rate limit and reuses the copy here.
 * Least recently used entries go first once `maxEntries` is reached.
 */

export interface CachedConfigFile {
  etag: string;
  text: string;
}

export interface ConfigCache {
  get(owner: string, repo: string, path: string): CachedConfigFile | undefined;
  set(owner: string, repo: string, path: string, file: CachedConfigFile): void;
  readonly size: number;
}

export interface ConfigCacheOptions {
  maxEntries?: number;
}

function keyOf(owner: string, repo: string, path: string): string {
  // GitHub owner and repository names are case-insensitive; paths are not.
  return `${owner.toLowerCase()}/${repo.toLowerCase()}:${path}`;
}

export function createConfigCache({ maxEntries = 2_000 }: ConfigCacheOptions = {}): ConfigCache {
  const entries = new Map<string, CachedConfigFile>();
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
  };
}
