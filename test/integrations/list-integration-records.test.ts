/**
 * The lean read behind GET /api/installations finds, for every installation, what the full read
 * (one grouping over all deliveries, the latest reports apart) finds: the same row, latest report,
 * first and last delivery; and only the installations asked for.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { insertReport, upsertInstallation } from '../../src/connection/installation-rows.js';
import { listInstallationRecords } from '../../src/connection/installation-reads.js';
import { insertDeliveries } from '../../src/inbox/deliveries.js';
import { listIntegrationRecords } from '../../src/integrations/list-integration-records.js';
import { ensureGitHubIntegration } from '../../src/integrations/store.js';
import type { Store } from '../../src/store/database.js';
import { createPostgresStore, createSqliteStore, type TestStore } from '../helpers/store.js';

const POSTGRES = process.env.TEST_DATABASE_URL;
const STORES: [string, () => Promise<TestStore>][] = [
  ['SQLite', createSqliteStore],
  ...(POSTGRES ? [['Postgres', () => createPostgresStore(POSTGRES)] as [string, () => Promise<TestStore>]] : []),
];

async function seed(store: Store): Promise<void> {
  for (const id of [3, 1, 2]) {
    await upsertInstallation(
      store,
      {
        id,
        account: { login: `org-${id}`, type: 'Organization', id: id * 10 },
        selection: 'selected',
        permissions: { metadata: 'read' },
        events: [],
        suspendedAt: null,
        suspendedBy: null,
      },
      { now: 1_000, installedBy: 'founder' },
    );
  }
  // 1: two reports (the later one counts), deliveries; 2: a row, no report, no delivery; 3: a report only.
  await ensureGitHubIntegration(store, {
    installationId: 2,
    accountLogin: 'org-2',
    host: 'github.com',
    addedBy: 'mona',
    now: 1_000,
  });
  for (const [installationId, at, state] of [
    [1, 2_000, 'unauthorized'],
    [3, 2_500, 'connected'],
    [1, 3_000, 'connected'],
  ] as const) {
    const report = { at: new Date(at).toISOString(), installationId, state, checks: [] };
    await insertReport(store, { installationId, at, state, json: JSON.stringify(report) });
  }
  await insertDeliveries(
    store,
    [4_000, 1_500, 9_000].map((receivedAt, index) => ({
      id: `d-${index}`,
      event: 'push',
      action: null,
      installationId: 1,
      repository: null,
      payload: Buffer.from('{}'),
      status: 'ignored' as const,
      receivedAt,
    })),
  );
}

describe.each(STORES)('on %s', (_name, createStore) => {
  let testStore: TestStore;
  beforeEach(async () => {
    testStore = await createStore();
    await seed(testStore.store);
  });
  afterEach(() => testStore.cleanup());

  it('finds what the full read finds, installation by installation', async () => {
    const lean = await listIntegrationRecords(testStore.store);
    const full = await listInstallationRecords(testStore.store);
    expect(lean.map(({ integration: _integration, ...record }) => record)).toEqual(full);
    expect(lean.map((record) => [Number(record.row.id), record.report?.state ?? null, record.lastDeliveryAt])).toEqual([
      [1, 'connected', 9_000],
      [2, null, null],
      [3, 'connected', null],
    ]);
    expect(lean.map((record) => record.integration?.added_by ?? null)).toEqual([null, 'mona', null]);
  });

  it('reads only the installations asked for, and none for an empty list', async () => {
    expect((await listIntegrationRecords(testStore.store, [3, 2])).map((record) => Number(record.row.id))).toEqual([
      2, 3,
    ]);
    expect(await listIntegrationRecords(testStore.store, [])).toEqual([]);
  });
});
