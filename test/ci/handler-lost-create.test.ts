/**
 * A create whose response is lost (GitHub made the issue or the comment, then answered 502) must
 * not be repeated when the delivery runs again: Keel finds what it wrote by its hidden marker.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiJobFor, DEFAULT_BRANCH, SHA, workflowRunCompleted } from '../../fixtures/ci/payloads.js';
import { trackingIssueMarker } from '../../src/ci/render.js';
import { useGitHubMock } from '../helpers/github-mock.js';
import type { TestKeel } from '../helpers/keel.js';
import {
  apiRequests,
  deliver,
  mockConfig,
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

/** What a failed push run of `CI` on the default branch asks GitHub before it writes the tracking issue. */
function mockFailedPushRun(github: GitHub, { runId = RUN_ID, headSha = SHA } = {}): void {
  mockConfig(github, null);
  mockJobs(github, runId, 1, [apiJobFor('tsc-errors', { id: runId + 1, runId })]);
  mockLog(github, runId + 1, 'tsc-errors');
  mockStatus(github, headSha);
}

function failedPushRun({ runId = RUN_ID, headSha = SHA } = {}) {
  return workflowRunCompleted({ runId, headSha, event: 'push', headBranch: DEFAULT_BRANCH, pulls: [] });
}

function mockOpenIssues({ api }: GitHub, issues: () => unknown[]): void {
  api.get(`${REPO_PATH}/issues`).query({ labels: 'keel:ci', state: 'open', per_page: 100 }).reply(200, issues);
}

/** A create that GitHub makes and then answers 502 for; `created()` is the body it received. */
function mockLostCreate({ api }: GitHub, path: string): { created: () => { title?: string; body: string } } {
  let created: { title?: string; body: string } | undefined;
  api.post(path).reply(502, (_uri, body) => {
    created = body as { title?: string; body: string };
    return { message: 'Server Error' };
  });
  return { created: () => created ?? { body: '' } };
}

/** The comment GitHub did create, as the retry lists it. */
function mockListCreatedComment({ api }: GitHub, issueNumber: number, created: () => { body: string }): void {
  api
    .get(`${REPO_PATH}/issues/${issueNumber}/comments`)
    .query({ per_page: 100 })
    .reply(200, () => [{ id: 9001, body: created().body, user: { login: 'keel[bot]', type: 'Bot' } }]);
}

async function deliveryStatus(id: string): Promise<string> {
  const response = await keel.api(`/api/deliveries/${id}`);
  return ((await response.json()) as { status: string }).status;
}

/** Sends a delivery and waits until a retry has processed it. */
async function deliverUntilProcessed(payload: unknown, id: string): Promise<void> {
  expect((await keel.send('workflow_run', payload, id)).status).toBe(202);
  for (let tries = 0; tries < 100 && (await deliveryStatus(id)) !== 'processed'; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(await deliveryStatus(id)).toBe('processed');
}

/** The default branch turns red: Keel opens tracking issue #31. */
async function openTrackingIssue(): Promise<void> {
  const github = recordedGitHub();
  mockTokens(github);
  mockFailedPushRun(github);
  mockCreateLabel(github);
  mockOpenIssues(github, () => []);
  mockCreateIssue(github, ISSUE);
  await deliver(keel, 'workflow_run', failedPushRun());
}

function posts(github: GitHub, path: string): string[] {
  return apiRequests(github).filter((request) => request === `POST ${path}`);
}

describe('a tracking issue whose create response was lost', () => {
  it('is found by its marker when the delivery runs again, and not opened a second time', async () => {
    const github = recordedGitHub();
    mockTokens(github);
    mockFailedPushRun(github);
    mockCreateLabel(github);
    mockOpenIssues(github, () => []);
    const issue = mockLostCreate(github, `${REPO_PATH}/issues`);
    // The retry: GitHub lists the issue it did create.
    mockFailedPushRun(github);
    mockCreateLabel(github);
    mockOpenIssues(github, () => [{ number: ISSUE, ...issue.created(), user: { login: 'keel[bot]', type: 'Bot' } }]);

    await deliverUntilProcessed(failedPushRun(), 'lost-create');
    expect(posts(github, `${REPO_PATH}/issues`)).toEqual([`POST ${REPO_PATH}/issues`]);
  });
});

describe('a comment on the tracking issue whose create response was lost', () => {
  it('"still failing": posted once for the run, found by its marker when the delivery runs again', async () => {
    await openTrackingIssue();
    const later = { runId: RUN_ID + 10, headSha: 'c'.repeat(40) };
    const github = recordedGitHub();
    mockFailedPushRun(github, later);
    mockListComments(github, ISSUE);
    const comment = mockLostCreate(github, `${REPO_PATH}/issues/${ISSUE}/comments`);
    mockFailedPushRun(github, later);
    mockListCreatedComment(github, ISSUE, comment.created);

    await deliverUntilProcessed(failedPushRun(later), 'lost-still-failing');
    expect(posts(github, `${REPO_PATH}/issues/${ISSUE}/comments`)).toHaveLength(1);
    expect(comment.created().body).toMatch(/^Still failing at `ccccccc` /);
    expect(comment.created().body).toMatch(/\n\n<!-- keel:ci-still-failing #31 run 5550011\/1 -->$/);
  });

  it('"still failing" on an issue another delivery opened meanwhile: posted once, found by its marker', async () => {
    const opened = `${trackingIssueMarker(DEFAULT_BRANCH, 'CI')}\nOpened for an earlier run.`;
    const listed = () => [{ number: ISSUE, body: opened, user: { login: 'keel[bot]', type: 'Bot' } }];
    const github = recordedGitHub();
    mockTokens(github);
    mockFailedPushRun(github);
    mockCreateLabel(github);
    mockOpenIssues(github, listed);
    mockListComments(github, ISSUE);
    const comment = mockLostCreate(github, `${REPO_PATH}/issues/${ISSUE}/comments`);
    mockFailedPushRun(github);
    mockCreateLabel(github);
    mockOpenIssues(github, listed);
    mockListCreatedComment(github, ISSUE, comment.created);

    await deliverUntilProcessed(failedPushRun(), 'lost-meanwhile-comment');
    expect(posts(github, `${REPO_PATH}/issues/${ISSUE}/comments`)).toHaveLength(1);
    expect(posts(github, `${REPO_PATH}/issues`)).toEqual([]);
    expect(comment.created().body).toMatch(/\n\n<!-- keel:ci-still-failing #31 run 5550001\/1 -->$/);
  });

  it('closing: posted once for the passing run, found by its marker when the delivery runs again', async () => {
    await openTrackingIssue();
    const github = recordedGitHub();
    mockListComments(github, ISSUE);
    const comment = mockLostCreate(github, `${REPO_PATH}/issues/${ISSUE}/comments`);
    mockListCreatedComment(github, ISSUE, comment.created);
    const update = mockUpdateIssue(github, ISSUE);

    const green = workflowRunCompleted({
      conclusion: 'success',
      runId: RUN_ID + 20,
      headSha: 'd'.repeat(40),
      event: 'push',
      headBranch: DEFAULT_BRANCH,
      pulls: [],
    });
    await deliverUntilProcessed(green, 'lost-closing');
    expect(posts(github, `${REPO_PATH}/issues/${ISSUE}/comments`)).toHaveLength(1);
    expect(comment.created().body).toBe(
      '✅ **CI** passes on master again at `ddddddd` ([run](https://github.com/octo-org/octo-repo/actions/runs/5550021)). Closing this issue.\n\n<!-- keel:ci-closing #31 run 5550021/1 -->',
    );
    expect(update.bodies).toEqual([{ state: 'closed', state_reason: 'completed' }]);
  });
});
