/**
 * What a capability's webhook handlers are given: the store, narrowed tokens, the configuration
 * they link with, the shared `.github/keel.yml` cache and a logger named after the capability.
 */
import type { Logger } from 'pino';
import type { KeelConfig } from './config.js';
import type { InstallationTokens } from './github/installation-tokens.js';
import type { IntegrationGate } from './integrations/gate.js';
import type { KeelServices } from './keel.js';
import type { ConfigCache } from './repo-config/config-cache.js';
import type { Store } from './store/database.js';

export interface CapabilityDeps {
  store: Store;
  tokens: InstallationTokens;
  config: Pick<KeelConfig, 'publicUrl' | 'linkSigningKey' | 'githubHost'>;
  configCache: ConfigCache;
  /** Whether a service may act on a repository (console switches and exclusions). */
  integrations: IntegrationGate;
  log: Logger;
  now?: () => number;
}

/** The deps of capability `name`; `configCache` overrides Keel's shared one (tests). */
export function capabilityDeps(services: KeelServices, name: string, configCache?: ConfigCache): CapabilityDeps {
  return {
    store: services.store,
    tokens: services.tokens,
    config: services.config,
    configCache: configCache ?? services.repoConfigCache,
    integrations: services.integrations,
    log: services.log.child({ name }),
  };
}
