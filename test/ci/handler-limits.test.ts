import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiJobFor, SHA, workflowRunCompleted, type ApiJob } from '../../fixtures/ci/payloads.js';
import { useGitHubMock } from '../helpers/github-mock.js';
import type { TestKeel } from '../helpers/keel.js';
import {
  apiRequests,
  deliver,
  LOG_HOST,
  mockConfig,
  mockCreateComment,
  mockJobs,
  mockListComments,
  mockLog,
  mockStatus,
  mockTokens,
  recordedGitHub,
  REPO_PATH,
  startCiKeel,
  type GitHub,
} from './ci-scenario.js';

useGitHubMock();

const RUN_ID = 289782451;

let keel: TestKeel;
beforeEach(async () => {
  keel = await startCiKeel();
});
afterEach(() => keel.stop());

function shards(count: number): ApiJob[] {
  return Array.from({ length: count }, (_, index) =>
    apiJobFor('vitest-assertions', { id: 7000 + index, name: `shard-${index + 1}` }),
  );
}

/** Mocks a failed run with `jobs` on PR #7 and returns what the status and the comment received. */
function failedRun(github: GitHub, jobs: ApiJob[], logs: (job: ApiJob) => void) {
  mockTokens(github);
  mockConfig(github, null);
  mockJobs(github, RUN_ID, 1, jobs);
  jobs.forEach(logs);
  const statuses = mockStatus(github, SHA);
  mockListComments(github, 7);
  const comment = mockCreateComment(github, 7, 1);
  return { statuses, comment };
}

describe('the per-run cap on logs read', () => {
  it('reads all 30 failed jobs of a run with 30', async () => {
    const github = recordedGitHub();
    const { statuses } = failedRun(github, shards(30), (job) => mockLog(github, job.id, 'vitest-assertions'));
    await deliver(keel, 'workflow_run', workflowRunCompleted());
    expect(apiRequests(github).filter((request) => request.startsWith(`GET ${LOG_HOST}`))).toHaveLength(30);
    expect(statuses[0]?.description).toMatch(/^30 jobs failed: shard-1 \(3 tests\), .* \+\d+ more$/);
  });

  it('reads 30 of 31 and reports the 31st as not diagnosed', async () => {
    const github = recordedGitHub();
    const jobs = shards(31);
    const { statuses, comment } = failedRun(github, jobs, (job) => {
      if (job.id !== 7030) mockLog(github, job.id, 'vitest-assertions');
    });
    await deliver(keel, 'workflow_run', workflowRunCompleted());
    expect(apiRequests(github)).not.toContain(`GET ${REPO_PATH}/actions/jobs/7030/logs`);
    expect(statuses[0]?.description).toMatch(/^31 jobs failed: /);
    expect(String(comment.bodies[0]?.body)).toContain(
      "_Not diagnosed: 1 more job (Keel reads at most 30 failed jobs' logs per run)._",
    );
  });
});

describe('jobs without a log', () => {
  it('reports a log GitHub no longer keeps (410) as expired', async () => {
    const github = recordedGitHub();
    const job = apiJobFor('vitest-assertions', { id: 8001 });
    const { statuses, comment } = failedRun(github, [job], () =>
      github.api.get(`${REPO_PATH}/actions/jobs/8001/logs`).reply(410, { message: 'Gone' }),
    );
    await deliver(keel, 'workflow_run', workflowRunCompleted());
    expect(statuses[0]?.description).toBe('Job test failed at step "Run npx vitest run"');
    expect(String(comment.bodies[0]?.body)).toContain(
      "> The job's log is gone (GitHub answered 410: logs expire after the retention period).",
    );
  });

  it('reports a download URL answering 410 as expired too', async () => {
    const github = recordedGitHub();
    const job = apiJobFor('vitest-assertions', { id: 8002 });
    const { comment } = failedRun(github, [job], () => {
      github.api.get(`${REPO_PATH}/actions/jobs/8002/logs`).reply(302, '', { location: `${LOG_HOST}/logs/8002` });
      github.logs.get('/logs/8002').reply(410, 'The specified blob does not exist.');
    });
    await deliver(keel, 'workflow_run', workflowRunCompleted());
    expect(String(comment.bodies[0]?.body)).toContain("> The job's log is gone");
  });

  it('reports a job that never started without asking for its log', async () => {
    const github = recordedGitHub();
    const job: ApiJob = { ...apiJobFor('vitest-assertions', { id: 8003 }), steps: [] };
    const { comment } = failedRun(github, [job], () => undefined);
    await deliver(keel, 'workflow_run', workflowRunCompleted());
    expect(String(comment.bodies[0]?.body)).toContain(
      '> The job never started: no runner picked it up, so it has no log.',
    );
  });

  it('explains a startup failure, which has no job at all', async () => {
    const github = recordedGitHub();
    const { statuses } = failedRun(github, [], () => undefined);
    await deliver(keel, 'workflow_run', workflowRunCompleted({ conclusion: 'startup_failure' }));
    expect(statuses[0]?.description).toBe('Workflow CI could not start (startup failure)');
  });
});

describe('runs from forks', () => {
  it('finds the pull request from the head SHA with one lookup and comments only on the open one', async () => {
    const github = recordedGitHub();
    mockTokens(github);
    mockConfig(github, null);
    mockJobs(github, RUN_ID, 1, [apiJobFor('vitest-assertions', { id: 8101 })]);
    mockLog(github, 8101, 'vitest-assertions');
    mockStatus(github, SHA);
    github.api
      .get(`${REPO_PATH}/commits/${SHA}/pulls`)
      .query({ per_page: 100 })
      .reply(200, [
        { number: 12, state: 'open', head: { sha: SHA } },
        { number: 3, state: 'closed', head: { sha: SHA } },
      ]);
    mockListComments(github, 12);
    const comment = mockCreateComment(github, 12, 2);
    await deliver(keel, 'workflow_run', workflowRunCompleted({ pulls: [] }));
    expect(String(comment.bodies[0]?.body)).toContain('### ❌ CI failed on `3484a3f`');
  });
});
