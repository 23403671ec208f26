/** Repository configuration (`.github/keel.yml`), shared by every capability. */
export { createConfigCache, type ConfigCache } from './config-cache.js';
export {
  CONFIG_READ_PERMISSIONS,
  createConfigTokens,
  loadInstallationConfig,
  type ConfigRepository,
  type LoadInstallationConfigOptions,
} from './load-installation-config.js';
export {
  loadRepoConfig,
  type LoadedRepoConfig,
  type LoadRepoConfigOptions,
  type RepoConfigSource,
} from './load-repo-config.js';
export { RepoConfigError, type ConfigProblem } from './repo-config-error.js';
export { KeelConfigSchema, REPO_CONFIG_PATH, type KeelRepoConfig } from './schema.js';
