/**
 * The repository's `ci` settings. Reading `.github/keel.yml` needs `contents: read`, which the CI
 * job token does not carry, so the file is read as every capability reads it
 * (loadInstallationConfig: config tokens of its own, covering the repository and the owner's
 * `.github`). A file Keel cannot use never stops a diagnosis: Keel falls back to the defaults,
 * logs why, and the diagnosis page shows the problem.
 */
import type { Logger } from 'pino';
import { ConfigError } from '../errors.js';
import { GitHubError } from '../github/errors.js';
import type { InstallationTokens } from '../github/installation-tokens.js';
import type { ConfigCache } from '../repo-config/config-cache.js';
import { loadInstallationConfig } from '../repo-config/load-installation-config.js';
import { toConfigErrorReport, type ConfigErrorReport } from '../repo-config/repo-config-error.js';
import { DEFAULT_CI_CONFIG, type CiConfig } from './config.js';
import type { RepositoryRef } from '../github/repository.js';

export interface LoadCiConfigOptions {
  tokens: InstallationTokens;
  configCache: ConfigCache;
  log: Logger;
  ref: RepositoryRef;
  installationId: number;
  repositoryId: number;
}

export interface LoadedCiConfig {
  config: CiConfig;
  /** Set when the file is invalid and the defaults were used. */
  configError: ConfigErrorReport | null;
}

export async function loadCiConfig(options: LoadCiConfigOptions): Promise<LoadedCiConfig> {
  const { ref, log } = options;
  try {
    const loaded = await loadInstallationConfig({
      tokens: options.tokens,
      cache: options.configCache,
      installationId: options.installationId,
      repository: { id: options.repositoryId, owner: ref.owner, name: ref.repo },
      githubHost: ref.githubHost,
      log,
    });
    return { config: loaded.config.ci, configError: null };
  } catch (error) {
    if (error instanceof ConfigError) {
      log.warn(
        { repository: `${ref.owner}/${ref.repo}`, problem: error.message },
        'Invalid .github/keel.yml; using the default ci settings',
      );
      return { config: DEFAULT_CI_CONFIG, configError: toConfigErrorReport(error) };
    }
    if (error instanceof GitHubError && !error.transient) {
      log.warn(
        { repository: `${ref.owner}/${ref.repo}`, problem: error.message },
        'Cannot read .github/keel.yml; using the default ci settings',
      );
      return { config: DEFAULT_CI_CONFIG, configError: null };
    }
    throw error;
  }
}
