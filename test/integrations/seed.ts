/** Installations as lifecycle events would have stored them, for tests that start from there. */
import { addRepositories, upsertInstallation } from '../../src/connection/installation-rows.js';
import { ensureGitHubIntegration } from '../../src/integrations/store.js';
import type { Store } from '../../src/store/database.js';

export interface SeededInstallation {
  id: number;
  login: string;
  type?: 'Organization' | 'User';
  accountId?: number;
  /** Repository names without the owner. */
  repositories?: string[];
}

export async function seedInstallation(store: Store, seed: SeededInstallation): Promise<void> {
  const now = Date.now();
  await upsertInstallation(
    store,
    {
      id: seed.id,
      account: { login: seed.login, type: seed.type ?? 'Organization', id: seed.accountId ?? seed.id * 10 },
      selection: 'selected',
      permissions: { metadata: 'read', pull_requests: 'read', contents: 'read', statuses: 'write' },
      events: ['pull_request'],
      suspendedAt: null,
      suspendedBy: null,
    },
    { now, installedBy: 'founder' },
  );
  await ensureGitHubIntegration(store, {
    installationId: seed.id,
    accountLogin: seed.login,
    host: 'github.com',
    addedBy: 'founder',
    now,
  });
  await addRepositories(
    store,
    seed.id,
    (seed.repositories ?? []).map((name, index) => ({
      id: seed.id * 1000 + index,
      fullName: `${seed.login}/${name}`,
      private: true,
    })),
  );
}
