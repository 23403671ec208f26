import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiJobFor, passedApiJob, SHA, workflowRunCompleted } from '../../fixtures/ci/payloads.js';
import { useGitHubMock } from '../helpers/github-mock.js';
import type { TestKeel } from '../helpers/keel.js';
import {
  apiRequests,
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
  REPO_PATH,
  startCiKeel,
  LOG_HOST,
  type GitHub,
} from './ci-scenario.js';

useGitHubMock();

const RUN_ID = 289782451;
const TEST_JOB = 5001;
const COMMENT_ID = 880001;

let keel: TestKeel;
beforeEach(async () => {
  keel = await startCiKeel();
});
afterEach(() => keel.stop());

/** A failed `CI` run on PR #7 whose job `test` fails in vitest; returns the GitHub mock. */
async function failTests(options: { runId?: number; firstTime?: boolean; headSha?: string } = {}) {
  const github = recordedGitHub();
  const runId = options.runId ?? RUN_ID;
  const headSha = options.headSha ?? SHA;
  if (options.firstTime !== false) mockTokens(github);
  mockConfig(github, null);
  mockJobs(github, runId, 1, [
    apiJobFor('vitest-assertions', { id: TEST_JOB + runId, runId }),
    passedApiJob(6001, 'lint', runId),
  ]);
  mockLog(github, TEST_JOB + runId, 'vitest-assertions');
  const statuses = mockStatus(github, headSha);
  return { github, statuses, payload: workflowRunCompleted({ runId, headSha }) };
}

function commentBody(bodies: Record<string, unknown>[]): string {
  return String(bodies[0]?.body ?? '');
}

describe('a failed run on a pull request', () => {
  it('sets keel/ci to failure with what failed and a signed link to the diagnosis page', async () => {
    const { github, statuses, payload } = await failTests();
    mockListComments(github, 7);
    mockCreateComment(github, 7, COMMENT_ID);
    await deliver(keel, 'workflow_run', payload);
    expect(statuses).toEqual([
      {
        state: 'failure',
        description: '3 tests failed in vitest (job test)',
        context: 'keel/ci',
        target_url: expect.stringMatching(/^https:\/\/keel\.example\.com\/ci\/[\w-]+\?sig=[\w-]{43}$/),
      },
    ]);
  });

  it('comments once on the pull request with the failing tests, their files and the excerpt', async () => {
    const { github, payload } = await failTests();
    mockListComments(github, 7, [{ id: 1, user: { type: 'User' }, body: 'LGTM' }]);
    const created = mockCreateComment(github, 7, COMMENT_ID);
    await deliver(keel, 'workflow_run', payload);
    const body = commentBody(created.bodies);
    expect(body.startsWith('<!-- keel:ci -->\n### ❌ CI failed on `3484a3f`')).toBe(true);
    expect(body).toContain(
      '- `totalOf > adds price times quantity` `test/cart.test.ts:10` AssertionError: expected 22 to be 20',
    );
    expect(body).toContain('```text\n');
    expect(body).toMatch(/\[diagnosis\]\(https:\/\/keel\.example\.com\/ci\/[\w-]+\?sig=[\w-]{43}\)/);
  });

  it('spends exactly: config, jobs, one log and its download, the status, the comment lookup and the comment', async () => {
    const { github, payload } = await failTests();
    mockListComments(github, 7);
    mockCreateComment(github, 7, COMMENT_ID);
    await deliver(keel, 'workflow_run', payload);
    expect(apiRequests(github)).toEqual([
      'GET /repos/octo-org/octo-repo/contents/.github%2Fkeel.yml',
      'GET /repos/octo-org/.github/contents/.github%2Fkeel.yml',
      `GET ${REPO_PATH}/actions/runs/${RUN_ID}/attempts/1/jobs?per_page=100`,
      `GET ${REPO_PATH}/actions/jobs/${TEST_JOB + RUN_ID}/logs`,
      `GET ${LOG_HOST}/logs/${TEST_JOB + RUN_ID}`,
      `POST ${REPO_PATH}/statuses/${SHA}`,
      `GET ${REPO_PATH}/issues/7/comments?per_page=100`,
      `POST ${REPO_PATH}/issues/7/comments`,
    ]);
  });

  it('edits its comment found by the marker when the database does not know it yet', async () => {
    const { github, payload } = await failTests();
    mockListComments(github, 7, [{ id: 4242, user: { type: 'Bot' }, body: '<!-- keel:ci -->\nold' }]);
    const edited = mockUpdateComment(github, 4242);
    await deliver(keel, 'workflow_run', payload);
    expect(commentBody(edited.bodies)).toContain('### ❌ CI failed on `3484a3f`');
  });
});

describe('a second failure on the same pull request', () => {
  it('edits the comment it created, without listing comments again', async () => {
    const first = await failTests();
    mockListComments(first.github, 7);
    mockCreateComment(first.github, 7, COMMENT_ID);
    await deliver(keel, 'workflow_run', first.payload);

    const second = await failTests({ runId: RUN_ID + 1, firstTime: false, headSha: 'b'.repeat(40) });
    const edited = mockUpdateComment(second.github, COMMENT_ID);
    await deliver(keel, 'workflow_run', second.payload);
    expect(commentBody(edited.bodies)).toContain('### ❌ CI failed on `bbbbbbb`');
    expect(apiRequests(second.github)).not.toContain(`GET ${REPO_PATH}/issues/7/comments?per_page=100`);
  });
});

describe('the runs passing again', () => {
  async function failThenPass(github: GitHub, runs: Parameters<typeof mockCommitRuns>[2]) {
    const first = await failTests();
    mockListComments(first.github, 7);
    mockCreateComment(first.github, 7, COMMENT_ID);
    await deliver(keel, 'workflow_run', first.payload);
    mockConfig(github, null);
    mockCommitRuns(github, SHA, runs);
  }

  it('sets keel/ci to success and edits the comment to say the failures are fixed', async () => {
    const github = recordedGitHub();
    await failThenPass(github, [
      { id: RUN_ID, workflow_id: 2823525, name: 'CI', status: 'completed', conclusion: 'success', run_attempt: 2 },
      { id: 77, workflow_id: 99, name: 'Lint', status: 'completed', conclusion: 'success' },
    ]);
    const statuses = mockStatus(github, SHA);
    const edited = mockUpdateComment(github, COMMENT_ID);
    await deliver(keel, 'workflow_run', workflowRunCompleted({ conclusion: 'success', runAttempt: 2 }));
    expect(statuses).toEqual([{ state: 'success', description: 'All workflow runs passed', context: 'keel/ci' }]);
    expect(commentBody(edited.bodies)).toBe(
      '<!-- keel:ci -->\n### ✅ CI passes on `3484a3f`\n\nThe failures Keel reported earlier are fixed: `test`.',
    );
  });

  it('writes nothing while another workflow on the commit still fails', async () => {
    const github = recordedGitHub();
    await failThenPass(github, [
      { id: RUN_ID, workflow_id: 2823525, name: 'CI', status: 'completed', conclusion: 'success', run_attempt: 2 },
      { id: 77, workflow_id: 99, name: 'Lint', status: 'completed', conclusion: 'failure' },
    ]);
    await deliver(keel, 'workflow_run', workflowRunCompleted({ conclusion: 'success', runAttempt: 2 }));
    expect(apiRequests(github)).toEqual([
      'GET /repos/octo-org/octo-repo/contents/.github%2Fkeel.yml',
      'GET /repos/octo-org/.github/contents/.github%2Fkeel.yml',
      `GET ${REPO_PATH}/actions/runs?head_sha=${SHA}&per_page=100`,
    ]);
  });

  it('costs no request for a passing run Keel never reported', async () => {
    const github = recordedGitHub();
    await deliver(keel, 'workflow_run', workflowRunCompleted({ conclusion: 'success' }));
    expect(github.requests).toEqual([]);
  });
});
