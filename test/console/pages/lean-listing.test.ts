/**
 * The integrations table reads a lean row per installation (readIntegrationListing: the time of
 * its latest verification and whether its quota was low, kept on the installation). Sorted and
 * filtered by every column, it gives the order the table had when it was built from the full
 * records (latest report parsed, its time and rate-limit check read from it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listInstallationRecords } from '../../../src/connection/installation-reads.js';
import { toInstallationJson } from '../../../src/connection/to-installation-json.js';
import { isRateLimited } from '../../../src/connection/verify/is-rate-limited.js';
import { readIntegrationListing } from '../../../src/console/pages/console-reads.js';
import { readIntegrationsQuery, SORT_KEYS, sortIntegrations } from '../../../src/console/pages/sort-integrations.js';
import { toIntegrationSummary } from '../../../src/console/pages/to-views.js';
import type { IntegrationSummary } from '../../../src/console/pages/view.js';
import { SERVICE_IDS } from '../../../src/integrations/services.js';
import { createSqliteStore, type TestStore } from '../../helpers/store.js';
import { SEEDED_AT, seedDelivery, seedIntegration, type SeedOptions } from './console-fixtures.js';

const CONFIG = { githubHost: 'api.github.com', githubWebUrl: 'https://github.com' };

let testStore: TestStore;
beforeAll(async () => {
  testStore = await createSqliteStore();
  const { store } = testStore;
  const seeds: SeedOptions[] = [
    { id: 11, login: 'acme', repositories: ['acme/a', 'acme/b', 'acme/c'] },
    { id: 12, login: 'Beta', state: 'unauthorized', repositories: ['Beta/a'] },
    {
      id: 13,
      login: 'cobalt',
      repositories: [],
      checks: [{ name: 'rate-limit', status: 'warn', finding: '4% of the quota left.', remedy: 'Wait.' }],
    },
    { id: 14, login: 'delta', state: 'suspended', repositories: ['delta/a', 'delta/b'] },
    { id: 15, login: 'echo', repositories: ['echo/a'] },
  ];
  for (const seed of seeds) await seedIntegration(store, seed);
  // Different names, services, adders, providers, verification times and deliveries per row.
  await store.db.updateTable('integrations').set({ name: 'zulu' }).where('id', '=', '11').execute();
  await store.db
    .updateTable('integrations')
    .set({ services: JSON.stringify({ ci: false, repair: false }), added_by: 'Zed' })
    .where('id', '=', '12')
    .execute();
  await store.db
    .updateTable('integrations')
    .set({ provider: 'github-enterprise', host: 'ghe.example.com' })
    .where('id', '=', '14')
    .execute();
  await store.db.deleteFrom('integrations').where('id', '=', '15').execute();
  for (const [id, at] of [
    [12, SEEDED_AT + 5_000],
    [14, SEEDED_AT - 5_000],
  ] as const) {
    await store.db.updateTable('reports').set({ at }).where('installation_id', '=', id).execute();
    const report = await store.db
      .selectFrom('reports')
      .select(['id', 'report'])
      .where('installation_id', '=', id)
      .executeTakeFirstOrThrow();
    const json = { ...(JSON.parse(report.report) as object), at: new Date(at).toISOString() };
    await store.db
      .updateTable('reports')
      .set({ report: JSON.stringify(json) })
      .where('id', '=', report.id)
      .execute();
    await store.db.updateTable('installations').set({ verified_at: at }).where('id', '=', id).execute();
  }
  await seedDelivery(store, { id: 'late', installationId: 13, status: 'processed' });
  await store.db
    .updateTable('deliveries')
    .set({ received_at: SEEDED_AT + 60_000 })
    .where('id', '=', 'late')
    .execute();
});
afterAll(() => testStore.cleanup());

/** A table row as it was built from the full record, before the lean listing. */
async function fromFullRecords(): Promise<IntegrationSummary[]> {
  const records = await listInstallationRecords(testStore.store);
  const rows = await testStore.store.db.selectFrom('integrations').selectAll().execute();
  return records.map((record) => {
    const integration = rows.find((row) => row.id === String(record.row.id));
    const json = toInstallationJson({ ...record, integration });
    return {
      id: String(json.id),
      name: json.name,
      provider: integration?.provider ?? 'github',
      host: integration?.host ?? 'github.com',
      account: json.account.login,
      servicesOn: SERVICE_IDS.filter((service) => json.services[service]),
      repositoryCount: json.repositories.count === null ? null : Number(json.repositories.count),
      addedBy: json.addedBy,
      status: { state: json.state, processing: 0, rateLimited: isRateLimited(json.report) },
      lastUpdatedAt: json.lastUpdatedAt === null ? null : Date.parse(json.lastUpdatedAt),
      lastVerifiedAt: json.report ? Date.parse(json.report.at) : null,
      role: 'delete',
    };
  });
}

async function fromLeanListing(): Promise<IntegrationSummary[]> {
  const listed = await readIntegrationListing(testStore.store, CONFIG);
  return listed.map((row) => toIntegrationSummary(row, 'delete', 0));
}

const ids = (rows: IntegrationSummary[]) => rows.map((row) => row.id);

describe('the lean integrations listing', () => {
  it('holds what the full records held, row by row', async () => {
    const byId = (rows: IntegrationSummary[]) => [...rows].sort((a, b) => a.id.localeCompare(b.id));
    expect(byId(await fromLeanListing())).toEqual(byId(await fromFullRecords()));
  });

  it.each(SORT_KEYS.flatMap((sort) => [{ sort }, { sort, dir: 'desc' }]))('sorts by %o as before', async (query) => {
    const parsed = readIntegrationsQuery(query);
    expect(ids(sortIntegrations(await fromLeanListing(), parsed))).toEqual(
      ids(sortIntegrations(await fromFullRecords(), parsed)),
    );
  });

  it.each([
    { state: 'connected' },
    { state: 'unauthorized' },
    { provider: 'github-enterprise' },
    { q: 'zed' },
    { q: 'ghe.example' },
    { q: 'ACME' },
  ])('filters by %o as before', async (query) => {
    const parsed = readIntegrationsQuery(query);
    const lean = ids(sortIntegrations(await fromLeanListing(), parsed));
    expect(lean.length).toBeGreaterThan(0);
    expect(lean).toEqual(ids(sortIntegrations(await fromFullRecords(), parsed)));
  });
});
