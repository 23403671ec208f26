/**
 * Integration rows. A GitHub installation gets its integration row the first time Keel hears of
 * it (`ensureGitHubIntegration`); admins then rename it and set its services and exclusions.
 */
import type { Selectable } from 'kysely';
import type { Store } from '../store/database.js';
import type { IntegrationsTable } from '../store/schema.js';
import { readExclusions } from './exclusions.js';
import { readServices, type Services } from './services.js';

export type IntegrationRow = Selectable<IntegrationsTable>;

export interface IntegrationSettings {
  services: Services;
  exclusions: string[];
}

export interface GitHubIntegrationFacts {
  installationId: number;
  accountLogin: string;
  /** github.com, or the GHES host. */
  host: string;
  addedBy: string | null;
  now: number;
}

/** The integration id of a GitHub installation, as the console's URLs and the API use it. */
export function githubIntegrationId(installationId: number): string {
  return String(installationId);
}

/** Creates the installation's integration row unless it exists; never overwrites admin choices. */
export async function ensureGitHubIntegration(store: Store, facts: GitHubIntegrationFacts): Promise<void> {
  await store.db
    .insertInto('integrations')
    .values({
      id: githubIntegrationId(facts.installationId),
      provider: facts.host === 'github.com' ? 'github' : 'github-enterprise',
      host: facts.host,
      external_id: String(facts.installationId),
      installation_id: facts.installationId,
      name: facts.accountLogin,
      added_by: facts.addedBy,
      services: '{}',
      exclusions: '[]',
      created_at: facts.now,
      updated_at: facts.now,
    })
    .onConflict((conflict) => conflict.column('id').doNothing())
    .execute();
}

export async function readIntegration(store: Store, id: string): Promise<IntegrationRow | undefined> {
  return store.db.selectFrom('integrations').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Services and exclusions of an installation; the defaults when it has no integration row yet. */
export async function readInstallationSettings(store: Store, installationId: number): Promise<IntegrationSettings> {
  const row = await store.db
    .selectFrom('integrations')
    .select(['services', 'exclusions'])
    .where('installation_id', '=', installationId)
    .executeTakeFirst();
  return { services: readServices(row?.services), exclusions: readExclusions(row?.exclusions) };
}

export async function saveServices(store: Store, id: string, services: Services, now: number): Promise<boolean> {
  const result = await store.db
    .updateTable('integrations')
    .set({ services: JSON.stringify(services), updated_at: now })
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function saveExclusions(store: Store, id: string, rules: string[], now: number): Promise<boolean> {
  const result = await store.db
    .updateTable('integrations')
    .set({ exclusions: JSON.stringify(rules), updated_at: now })
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
