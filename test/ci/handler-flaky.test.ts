import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiJobFor, SHA, workflowJobCompleted, workflowRunCompleted } from '../../fixtures/ci/payloads.js';
import { useGitHubMock } from '../helpers/github-mock.js';
import type { TestKeel } from '../helpers/keel.js';
import {
  deliver,
  mockCommitRuns,
  mockConfig,
  mockCreateComment,
  mockJobs,
  mockListComments,
  mockLog,
  mockStatus,
  mockTokens,
  mockUpdateComment,
  recordedGitHub,
  startCiKeel,
} from './ci-scenario.js';

useGitHubMock();

const RUN_ID = 289782451;
const FLAKY_TESTS = [
  'parseSku > accepts lower case skus',
  'totalOf > adds price times quantity',
  'totalOf > returns the line items it was given',
];

let keel: TestKeel;
beforeEach(async () => {
  keel = await startCiKeel();
});
afterEach(() => keel.stop());

/** Attempt 1 of run RUN_ID on SHA fails: job `test` has 3 failing vitest tests. */
async function failAttemptOne(): Promise<void> {
  const github = recordedGitHub();
  mockTokens(github);
  mockConfig(github, null);
  mockJobs(github, RUN_ID, 1, [apiJobFor('vitest-assertions', { id: 3001 })]);
  mockLog(github, 3001, 'vitest-assertions');
  mockStatus(github, SHA);
  mockListComments(github, 7);
  mockCreateComment(github, 7, 501);
  await deliver(keel, 'workflow_run', workflowRunCompleted());
}

async function flakyRows() {
  return keel.keel.store.db
    .selectFrom('ci_flaky_tests')
    .select(['workflow', 'job', 'test', 'count'])
    .orderBy('test')
    .execute();
}

describe('a job that failed and then passed on a re-run of the same commit', () => {
  it('records its failing tests as flaky when the re-run attempt of the workflow passes', async () => {
    await failAttemptOne();
    const github = recordedGitHub();
    mockConfig(github, null);
    mockCommitRuns(github, SHA, [
      { id: RUN_ID, workflow_id: 2823525, name: 'CI', status: 'completed', conclusion: 'success', run_attempt: 2 },
    ]);
    mockStatus(github, SHA);
    mockUpdateComment(github, 501);
    await deliver(keel, 'workflow_run', workflowRunCompleted({ conclusion: 'success', runAttempt: 2 }));
    expect(await flakyRows()).toEqual(FLAKY_TESTS.map((test) => ({ workflow: 'CI', job: 'test', test, count: 1 })));
  });

  it('records them from the workflow_job event of the passing job, without asking GitHub anything', async () => {
    await failAttemptOne();
    const github = recordedGitHub();
    await deliver(keel, 'workflow_job', workflowJobCompleted({ name: 'test', runAttempt: 2 }));
    expect((await flakyRows()).map((row) => row.test)).toEqual(FLAKY_TESTS);
    expect(github.requests).toEqual([]);
  });

  it('counts one re-run once, although both its workflow_job and workflow_run events report it', async () => {
    await failAttemptOne();
    await deliver(keel, 'workflow_job', workflowJobCompleted({ name: 'test', runAttempt: 2 }));
    const github = recordedGitHub();
    mockConfig(github, null);
    mockCommitRuns(github, SHA, [
      { id: RUN_ID, workflow_id: 2823525, name: 'CI', status: 'completed', conclusion: 'success', run_attempt: 2 },
    ]);
    mockStatus(github, SHA);
    mockUpdateComment(github, 501);
    await deliver(keel, 'workflow_run', workflowRunCompleted({ conclusion: 'success', runAttempt: 2 }));
    expect((await flakyRows()).map((row) => row.count)).toEqual([1, 1, 1]);
  });

  it('ignores a passing job of another name', async () => {
    await failAttemptOne();
    await deliver(keel, 'workflow_job', workflowJobCompleted({ name: 'lint', runAttempt: 2 }));
    expect(await flakyRows()).toEqual([]);
  });
});

describe('a later failure of a known flaky test', () => {
  it('says in the status and the comment that the failing tests are known to be flaky', async () => {
    await failAttemptOne();
    await deliver(keel, 'workflow_job', workflowJobCompleted({ name: 'test', runAttempt: 2 }));
    const later = 'f'.repeat(40);
    const github = recordedGitHub();
    mockConfig(github, null);
    mockJobs(github, RUN_ID + 1, 1, [apiJobFor('vitest-assertions', { id: 3002, runId: RUN_ID + 1 })]);
    mockLog(github, 3002, 'vitest-assertions');
    const statuses = mockStatus(github, later);
    const comment = mockUpdateComment(github, 501);
    await deliver(keel, 'workflow_run', workflowRunCompleted({ runId: RUN_ID + 1, headSha: later }));
    expect(statuses[0]?.description).toBe('3 tests failed in vitest (job test; 3 known flaky)');
    expect(String(comment.bodies[0]?.body)).toContain(
      '- `totalOf > adds price times quantity` `test/cart.test.ts:10` AssertionError: expected 22 to be 20 // Object.is equality _(known flaky)_',
    );
  });
});
