/**
 * Re-reads which repositories an installation can see (`GET /installation/repositories` with a
 * token narrowed to metadata: read) and makes the stored list match: new ones added, gone ones
 * removed, the count updated.
 */
import { addRepositories, removeRepositories, updateInstallation } from '../connection/installation-rows.js';
import { classifyGitHubError } from '../github/errors.js';
import type { KeelServices } from '../keel.js';

export interface RepositoryRefresh {
  count: number;
  added: string[];
  removed: string[];
}

export async function refreshRepositories(
  services: Pick<KeelServices, 'store' | 'tokens' | 'config'>,
  installationId: number,
  now: number,
): Promise<RepositoryRefresh> {
  const { store, tokens, config } = services;
  const listed: { id: number; fullName: string; private: boolean }[] = [];
  try {
    const octokit = await tokens.octokitFor({ installationId, permissions: { metadata: 'read' } });
    for await (const { data } of octokit.paginate.iterator('GET /installation/repositories', { per_page: 100 })) {
      for (const repository of data) {
        listed.push({ id: repository.id, fullName: repository.full_name, private: repository.private });
      }
    }
  } catch (error) {
    throw classifyGitHubError(error, config.githubHost);
  }
  const stored = await store.db
    .selectFrom('repositories')
    .select(['id', 'full_name'])
    .where('installation_id', '=', installationId)
    .execute();
  const listedIds = new Set(listed.map((repository) => repository.id));
  const storedIds = new Set(stored.map((repository) => Number(repository.id)));
  const gone = stored.filter((repository) => !listedIds.has(Number(repository.id)));
  await addRepositories(store, installationId, listed);
  await removeRepositories(
    store,
    installationId,
    gone.map((repository) => Number(repository.id)),
  );
  await updateInstallation(store, installationId, { repository_count: listed.length, updated_at: now });
  return {
    count: listed.length,
    added: listed
      .filter((repository) => !storedIds.has(repository.id))
      .map((repository) => repository.fullName)
      .sort(),
    removed: gone.map((repository) => repository.full_name).sort(),
  };
}
