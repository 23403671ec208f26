/**
 * A repository's Keel configuration, as Probot's `context.config` finds it: `.github/keel.yml` in
 * the repository (at its default branch), else in the owner's `.github` repository; a file may
 * name a base with `_extends: repo`, `owner/repo` or `owner/repo:path.yml`, whose keys it
 * overrides (mappings merged key by key, everything else replaced). Missing file → defaults.
 * Capabilities call it through loadInstallationConfig, which picks the token each file is read with.
 */
import { findLine, parseConfigFile, type ParsedConfigFile } from './parse-config-file.js';
import type { ConfigCache } from './config-cache.js';
import { readConfigFile, type ConfigFileLocation, type ContentsOctokit } from './read-config-file.js';
import { RepoConfigError } from './repo-config-error.js';
import { KeelConfigSchema, REPO_CONFIG_PATH, type KeelRepoConfig } from './schema.js';
import { validateRepoConfig } from './validate-config.js';

/** Reads every file with one client, or picks a client per repository read (`octokitFor`). */
export type ConfigReader =
  | { octokit: ContentsOctokit; octokitFor?: never }
  | { octokitFor: (location: ConfigFileLocation) => Promise<ContentsOctokit>; octokit?: never };

export type LoadRepoConfigOptions = ConfigReader & {
  owner: string;
  repo: string;
  cache: ConfigCache;
  path?: string;
  githubHost?: string;
};

export interface RepoConfigSource {
  /** Where the first file was found; `defaults` when there is none. */
  kind: 'repository' | 'organization' | 'defaults';
  /** Every file read, the repository's (or organization's) first, then its bases. */
  files: ConfigFileLocation[];
  /** How many of those files GitHub answered with 304 Not Modified. */
  notModified: number;
}

export interface LoadedRepoConfig {
  config: KeelRepoConfig;
  source: RepoConfigSource;
}

// As in @probot/octokit-plugin-config: [owner/]repo[:path.yml]
const EXTENDS = /^(?:([a-z\d](?:[a-z\d]|-(?=[a-z\d])){0,38})\/)?([-_.\w\d]+)(?::([-_./\w\d]+\.ya?ml))?$/i;
const MAX_BASES = 5;

type Loaded = { file: ParsedConfigFile; location: ConfigFileLocation; fromCache: boolean };

function labelOf(location: ConfigFileLocation, owner: string, repo: string): string {
  const own =
    location.owner.toLowerCase() === owner.toLowerCase() && location.repo.toLowerCase() === repo.toLowerCase();
  return own ? location.path : `${location.owner}/${location.repo}:${location.path}`;
}

function sameLocation(a: ConfigFileLocation, b: ConfigFileLocation): boolean {
  return (
    a.owner.toLowerCase() === b.owner.toLowerCase() &&
    a.repo.toLowerCase() === b.repo.toLowerCase() &&
    a.path === b.path
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `overlay` over `base`: mappings merged key by key, any other value replaced. */
export function mergeConfig(base: Record<string, unknown>, overlay: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overlay)) {
    const current = merged[key];
    merged[key] = isPlainObject(current) && isPlainObject(value) ? mergeConfig(current, value) : value;
  }
  return merged;
}

/** Where `_extends` points, or a RepoConfigError naming the line when it is not a valid reference. */
function resolveExtends(file: ParsedConfigFile, from: ConfigFileLocation): ConfigFileLocation {
  const value = file.data._extends;
  const match = typeof value === 'string' ? EXTENDS.exec(value.trim()) : null;
  if (!match?.[2]) {
    throw new RepoConfigError([
      {
        file: file.label,
        line: findLine(file, ['_extends']),
        message: '_extends must name a repository: "repo", "owner/repo" or "owner/repo:path.yml"',
      },
    ]);
  }
  return { owner: match[1] ?? from.owner, repo: match[2], path: match[3] ?? from.path };
}

export async function loadRepoConfig(options: LoadRepoConfigOptions): Promise<LoadedRepoConfig> {
  const { owner, repo, cache, path = REPO_CONFIG_PATH, githubHost } = options;
  const clientFor = async (location: ConfigFileLocation): Promise<ContentsOctokit> =>
    options.octokitFor ? options.octokitFor(location) : options.octokit;
  const load = async (location: ConfigFileLocation): Promise<Loaded | null> => {
    const octokit = await clientFor(location);
    const read = await readConfigFile({ octokit, location, cache, ...(githubHost ? { githubHost } : {}) });
    if (!read) return null;
    return { file: parseConfigFile(labelOf(location, owner, repo), read.text), location, fromCache: read.fromCache };
  };

  let kind: RepoConfigSource['kind'] = 'repository';
  let first = await load({ owner, repo, path });
  if (!first && repo !== '.github') {
    kind = 'organization';
    first = await load({ owner, repo: '.github', path });
  }
  if (!first) {
    return { config: KeelConfigSchema.parse({}), source: { kind: 'defaults', files: [], notModified: 0 } };
  }

  const chain: Loaded[] = [first];
  for (let current = first; current.file.data._extends !== undefined;) {
    const base = resolveExtends(current.file, current.location);
    const problem = (message: string) =>
      new RepoConfigError([{ file: current.file.label, line: findLine(current.file, ['_extends']), message }]);
    if (chain.some((loaded) => sameLocation(loaded.location, base))) {
      throw problem(`_extends: ${labelOf(base, owner, repo)} was already read; the _extends chain loops`);
    }
    if (chain.length > MAX_BASES) throw problem(`_extends goes more than ${MAX_BASES} files deep`);
    const loaded = await load(base);
    if (!loaded) {
      throw problem(`_extends names ${base.owner}/${base.repo}:${base.path}, which does not exist or Keel cannot read`);
    }
    chain.push(loaded);
    current = loaded;
  }

  const merged = chain.reduceRight<Record<string, unknown>>((base, { file }) => {
    const { _extends: _ignored, ...data } = file.data;
    return mergeConfig(base, data);
  }, {});
  return {
    config: validateRepoConfig(
      merged,
      chain.map((loaded) => loaded.file),
    ),
    source: {
      kind,
      files: chain.map((loaded) => loaded.location),
      notModified: chain.filter((loaded) => loaded.fromCache).length,
    },
  };
}
