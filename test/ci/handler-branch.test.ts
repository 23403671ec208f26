import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiJobFor, DEFAULT_BRANCH, SHA, workflowRunCompleted } from '../../fixtures/ci/payloads.js';
import { useGitHubMock } from '../helpers/github-mock.js';
import type { TestKeel } from '../helpers/keel.js';
import {
  apiRequests,
  deliver,
  mockConfig,
  mockCreateComment,
  mockCreateIssue,
  mockCreateLabel,
  mockJobs,
  mockListComments,
  mockLog,
  mockStatus,
  mockTokens,
  mockUpdateIssue,
  recordedGitHub,
  REPO_PATH,
  startCiKeel,
  type GitHub,
} from './ci-scenario.js';

useGitHubMock();

const RUN_ID = 5550001;
const ISSUE = 31;

let keel: TestKeel;
beforeEach(async () => {
  keel = await startCiKeel();
});
afterEach(() => keel.stop());

/** A push run of `CI` on the default branch whose `typecheck` job fails in tsc. */
function pushFailure(github: GitHub, { runId = RUN_ID, headSha = SHA, config = null as string | null } = {}) {
  mockConfig(github, config);
  mockJobs(github, runId, 1, [apiJobFor('tsc-errors', { id: runId + 1, runId })]);
  mockLog(github, runId + 1, 'tsc-errors');
  mockStatus(github, headSha);
  return workflowRunCompleted({ runId, headSha, event: 'push', headBranch: DEFAULT_BRANCH, pulls: [] });
}

/** Before opening an issue Keel looks for its own by marker (none open here, unless `issues`). */
function mockOpenIssues({ api }: GitHub, issues: unknown[] = []): void {
  api.get(`${REPO_PATH}/issues`).query({ labels: 'keel:ci', state: 'open', per_page: 100 }).reply(200, issues);
}

async function openIssue(): Promise<void> {
  const github = recordedGitHub();
  mockTokens(github);
  const payload = pushFailure(github);
  mockCreateLabel(github);
  mockOpenIssues(github);
  mockCreateIssue(github, ISSUE);
  await deliver(keel, 'workflow_run', payload);
}

/** The workflow passes again on the default branch, at commit ddddddd. */
function deliverGreenPush(): Promise<void> {
  return deliver(
    keel,
    'workflow_run',
    workflowRunCompleted({
      conclusion: 'success',
      runId: RUN_ID + 20,
      headSha: 'd'.repeat(40),
      event: 'push',
      headBranch: DEFAULT_BRANCH,
      pulls: [],
    }),
  );
}

describe('a red default branch', () => {
  it('opens one issue for the workflow, labelled keel:ci, with the diagnosis', async () => {
    const github = recordedGitHub();
    mockTokens(github);
    const payload = pushFailure(github);
    const label = mockCreateLabel(github);
    mockOpenIssues(github);
    const issue = mockCreateIssue(github, ISSUE);
    await deliver(keel, 'workflow_run', payload);
    expect(label.bodies).toEqual([
      { name: 'keel:ci', color: 'd73a4a', description: 'CI is failing on the default branch' },
    ]);
    expect(issue.bodies[0]).toMatchObject({ title: 'CI failing on master: CI', labels: ['keel:ci'] });
    expect(String(issue.bodies[0]?.body)).toContain('#### `typecheck`: compile error (tsc)');
    expect(String(issue.bodies[0]?.body)).toContain(
      "`src/main.ts:3` TS2322: Type 'string' is not assignable to type 'number'.",
    );
  });

  it('tolerates a keel:ci label that already exists', async () => {
    const github = recordedGitHub();
    mockTokens(github);
    const payload = pushFailure(github);
    mockCreateLabel(github, 422);
    mockOpenIssues(github);
    const issue = mockCreateIssue(github, ISSUE);
    await deliver(keel, 'workflow_run', payload);
    expect(issue.bodies).toHaveLength(1);
  });

  it('comments on the open issue when a later run fails, without a second issue or label', async () => {
    await openIssue();
    const github = recordedGitHub();
    const payload = pushFailure(github, { runId: RUN_ID + 10, headSha: 'c'.repeat(40) });
    mockListComments(github, ISSUE);
    const comment = mockCreateComment(github, ISSUE, 9001);
    await deliver(keel, 'workflow_run', payload);
    expect(String(comment.bodies[0]?.body)).toMatch(
      /^Still failing at `ccccccc` \(\[run\]\(https:\/\/github\.com\/octo-org\/octo-repo\/actions\/runs\/5550011\)\): 3 compile errors in tsc \(job typecheck\)/,
    );
  });

  it('changes nothing more when the same failure is delivered twice', async () => {
    await openIssue();
    const github = recordedGitHub();
    const payload = pushFailure(github);
    await deliver(keel, 'workflow_run', payload);
    expect(apiRequests(github).filter((request) => request.startsWith('POST') || request.startsWith('PATCH'))).toEqual([
      `POST ${REPO_PATH}/statuses/${SHA}`,
    ]);
  });

  it('comments and closes the issue when the workflow passes on the default branch again', async () => {
    await openIssue();
    const github = recordedGitHub();
    mockListComments(github, ISSUE);
    const comment = mockCreateComment(github, ISSUE, 9002);
    const update = mockUpdateIssue(github, ISSUE);
    await deliverGreenPush();
    expect(String(comment.bodies[0]?.body)).toBe(
      '✅ **CI** passes on master again at `ddddddd` ([run](https://github.com/octo-org/octo-repo/actions/runs/5550021)). Closing this issue.\n\n<!-- keel:ci-closing #31 run 5550021/1 -->',
    );
    expect(update.bodies).toEqual([{ state: 'closed', state_reason: 'completed' }]);
  });

  it("leaves the issue open when a fork's pull request run passes on a branch named like the default", async () => {
    await openIssue();
    const github = recordedGitHub();
    const payload = workflowRunCompleted({
      conclusion: 'success',
      runId: RUN_ID + 20,
      headSha: 'd'.repeat(40),
      event: 'pull_request',
      headBranch: DEFAULT_BRANCH,
      pulls: [],
    });
    payload.workflow_run.head_repository = {
      ...payload.workflow_run.head_repository,
      id: 777,
      full_name: 'someone/octo-repo',
    };
    await deliver(keel, 'workflow_run', payload);
    expect(apiRequests(github)).toEqual([]);
  });

  it('opens a new issue when the branch turns red again after the issue was closed', async () => {
    await openIssue();
    const pass = recordedGitHub();
    mockListComments(pass, ISSUE);
    mockCreateComment(pass, ISSUE, 9002);
    mockUpdateIssue(pass, ISSUE);
    await deliverGreenPush();
    const github = recordedGitHub();
    const payload = pushFailure(github, { runId: RUN_ID + 30, headSha: 'e'.repeat(40) });
    mockOpenIssues(github);
    const issue = mockCreateIssue(github, ISSUE + 1);
    await deliver(keel, 'workflow_run', payload);
    expect(issue.bodies[0]).toMatchObject({ title: 'CI failing on master: CI' });
  });

  it('opens no issue with ci.trackDefaultBranch: false', async () => {
    const github = recordedGitHub();
    mockTokens(github);
    const payload = pushFailure(github, { config: 'ci:\n  trackDefaultBranch: false\n' });
    await deliver(keel, 'workflow_run', payload);
    expect(apiRequests(github).some((request) => request.includes('/issues') || request.includes('/labels'))).toBe(
      false,
    );
  });

  it('opens no issue for a failed pull request run whose branch is not the default', async () => {
    const github = recordedGitHub();
    mockTokens(github);
    mockConfig(github, 'ci:\n  comment: false\n');
    mockJobs(github, RUN_ID, 1, [apiJobFor('tsc-errors', { id: RUN_ID + 1 })]);
    mockLog(github, RUN_ID + 1, 'tsc-errors');
    mockStatus(github, SHA);
    await deliver(keel, 'workflow_run', workflowRunCompleted({ runId: RUN_ID }));
    expect(apiRequests(github).some((request) => request.includes('/issues'))).toBe(false);
  });
});
