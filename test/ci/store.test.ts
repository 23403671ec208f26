import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Diagnosis } from '../../src/ci/diagnose.js';
import { recordFlakyFailures } from '../../src/ci/record-flaky.js';
import { findFailingRuns, readRun, recordPassedRun, saveRunDiagnoses } from '../../src/ci/store.js';
import { listFlakyTests } from '../../src/ci/store-flaky.js';
import {
  findPullComment,
  findTrackingIssue,
  saveOpenedTrackingIssue,
  savePullComment,
  saveTrackingIssue,
} from '../../src/ci/store-reports.js';
import { RUN_SHA as SHA, runFacts } from '../../fixtures/ci/run-facts.js';
import { createPostgresStore, createSqliteStore, type TestStore } from '../helpers/store.js';

const NOW = 1_750_000_000_000;

const failing: Diagnosis = {
  workflow: 'CI',
  job: { id: 501, name: 'test' },
  failedStep: null,
  kind: 'test-failure',
  tool: 'vitest',
  failures: [{ test: 'cart > totals', message: 'expected 22 to be 20' }],
  failureCount: 1,
  excerpt: [],
  logUrl: 'https://github.com/acme/app/actions/runs/100/job/501',
};

const stores: [string, () => Promise<TestStore>][] = [['SQLite', createSqliteStore]];
if (process.env.TEST_DATABASE_URL) {
  const base = process.env.TEST_DATABASE_URL;
  stores.push(['Postgres', () => createPostgresStore(base)]);
}

describe.each(stores)('CI storage on %s', (_name, create) => {
  let testStore: TestStore;
  beforeEach(async () => {
    testStore = await create();
  });
  afterEach(() => testStore.cleanup());

  it('keeps the page id of a run attempt when it is saved again (a redelivery)', async () => {
    const { store } = testStore;
    const result = { diagnoses: [failing], notDiagnosed: 0, configError: null };
    const first = await saveRunDiagnoses(store, runFacts(), result, NOW);
    const second = await saveRunDiagnoses(store, runFacts(), result, NOW + 1);
    expect(second).toBe(first);
    expect((await readRun(store, first))?.diagnoses).toEqual([failing]);
  });

  it('counts a run as failing until a later attempt of it passes', async () => {
    const { store } = testStore;
    await saveRunDiagnoses(store, runFacts(), { diagnoses: [failing], notDiagnosed: 0, configError: null }, NOW);
    expect((await findFailingRuns(store, 2, SHA)).map((run) => run.runId)).toEqual([100]);
    await recordPassedRun(store, runFacts({ runAttempt: 2, conclusion: 'success' }), NOW + 1);
    expect(await findFailingRuns(store, 2, SHA)).toEqual([]);
  });

  it('remembers the pull request comment Keel keeps, and what it last reported', async () => {
    const { store } = testStore;
    const comment = { installationId: 1, repositoryId: 2, pullNumber: 7, headSha: SHA, commentId: 9 };
    await savePullComment(store, { ...comment, state: 'failing', failingJobs: ['test'] }, NOW);
    await savePullComment(store, { ...comment, state: 'fixed', failingJobs: [] }, NOW + 1);
    expect(await findPullComment(store, 2, 7)).toMatchObject({ commentId: 9, state: 'fixed', failingJobs: [] });
  });

  it('remembers the open tracking issue of a workflow, and a new one once the previous is closed', async () => {
    const { store } = testStore;
    const issue = {
      installationId: 1,
      repositoryId: 2,
      workflowId: 10,
      workflow: 'CI',
      branch: 'main',
      issueNumber: 4,
    };
    await saveOpenedTrackingIssue(store, issue, { runId: 100, runAttempt: 1 }, NOW);
    await saveTrackingIssue(store, { repositoryId: 2, workflowId: 10, issueNumber: 4, state: 'closed' }, null, NOW + 1);
    await saveOpenedTrackingIssue(store, { ...issue, issueNumber: 5 }, { runId: 200, runAttempt: 1 }, NOW + 2);
    expect(await findTrackingIssue(store, 2, 10)).toMatchObject({ state: 'open', issueNumber: 5, lastRunId: 200 });
  });

  it('counts a flaky test once per failure, and again for a later one', async () => {
    const { store } = testStore;
    const result = { diagnoses: [failing], notDiagnosed: 0, configError: null };
    await saveRunDiagnoses(store, runFacts(), result, NOW);
    const query = { repositoryId: 2, headSha: SHA, run: { runId: 100, beforeAttempt: 2 } };
    expect(await recordFlakyFailures(store, query, NOW + 1)).toBe(1);
    expect(await recordFlakyFailures(store, query, NOW + 2)).toBe(0);
    await saveRunDiagnoses(store, runFacts({ runId: 200 }), result, NOW + 3);
    await recordFlakyFailures(store, { ...query, run: { runId: 200, beforeAttempt: 2 } }, NOW + 4);
    expect(await listFlakyTests(store, 2, 'CI')).toEqual([
      { workflow: 'CI', job: 'test', test: 'cart > totals', firstSeenAt: NOW + 1, lastSeenAt: NOW + 4, count: 2 },
    ]);
  });
});
