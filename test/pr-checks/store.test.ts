import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  recordHeadSha,
  isHeadSha,
  findReport,
  readReport,
  saveReport,
  type NewReport,
} from '../../src/pr-checks/store.js';
import type { PrCheckReport } from '../../src/pr-checks/report.js';
import { createPostgresStore, createSqliteStore, type TestStore } from '../helpers/store.js';

const PR = { repositoryId: 7, pullNumber: 3, installationId: 42 };
const T0 = Date.parse('2025-01-01T10:00:00Z');
const T1 = Date.parse('2025-01-01T10:05:00Z');

const report = (description: string): PrCheckReport => ({
  state: 'success',
  description,
  findings: [],
  notAudited: [],
  filesAudited: 1,
  addedLines: 1,
  filesNotListed: 0,
  configError: null,
});

const newReport = (sha: string, description: string): NewReport => ({
  ...PR,
  headSha: sha,
  repository: 'acme/app',
  title: 'A change',
  configFingerprint: 'f1',
  report: report(description),
});

const databases: [string, () => Promise<TestStore>][] = [['SQLite', createSqliteStore]];
const postgresUrl = process.env.TEST_DATABASE_URL;
if (postgresUrl) databases.push(['Postgres', () => createPostgresStore(postgresUrl)]);

describe.each(databases)('pr-checks storage on %s', (_name, createStore) => {
  let testStore: TestStore;
  beforeEach(async () => {
    testStore = await createStore();
  });
  afterEach(() => testStore.cleanup());

  it('makes the first commit seen the head', async () => {
    expect(await recordHeadSha(testStore.store, { ...PR, headSha: 'a', prUpdatedAt: T0 }, T0)).toBe(true);
  });

  it('moves the head to a commit from a later event', async () => {
    await recordHeadSha(testStore.store, { ...PR, headSha: 'a', prUpdatedAt: T0 }, T0);
    await recordHeadSha(testStore.store, { ...PR, headSha: 'b', prUpdatedAt: T1 }, T1);
    expect(await isHeadSha(testStore.store, PR, 'a')).toBe(false);
  });

  it('keeps the head when an older event arrives late', async () => {
    await recordHeadSha(testStore.store, { ...PR, headSha: 'b', prUpdatedAt: T1 }, T1);
    expect(await recordHeadSha(testStore.store, { ...PR, headSha: 'a', prUpdatedAt: T0 }, T1)).toBe(false);
  });

  it('lets an older event of the head commit (an edit processed late) proceed', async () => {
    await recordHeadSha(testStore.store, { ...PR, headSha: 'b', prUpdatedAt: T1 }, T1);
    expect(await recordHeadSha(testStore.store, { ...PR, headSha: 'b', prUpdatedAt: T0 }, T1)).toBe(true);
  });

  it('keeps one report per commit, its id stable when the commit is audited again', async () => {
    const first = await saveReport(testStore.store, newReport('a', 'first'), T0);
    const second = await saveReport(testStore.store, newReport('a', 'second'), T1);
    expect({ same: first === second, report: (await readReport(testStore.store, second))?.report.description }).toEqual(
      {
        same: true,
        report: 'second',
      },
    );
  });

  it('finds the report of a commit', async () => {
    await saveReport(testStore.store, newReport('a', 'for a'), T0);
    await saveReport(testStore.store, newReport('b', 'for b'), T1);
    expect((await findReport(testStore.store, PR, 'b'))?.report.description).toBe('for b');
  });
});
