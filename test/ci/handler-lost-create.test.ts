/**
 * A create whose response is lost (GitHub made the issue, then answered 502) must not open a
 * second tracking issue when the delivery runs again: Keel finds its issue by the hidden marker.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiJobFor, DEFAULT_BRANCH, SHA, workflowRunCompleted } from '../../fixtures/ci/payloads.js';
import { useGitHubMock } from '../helpers/github-mock.js';
import type { TestKeel } from '../helpers/keel.js';
import {
  apiRequests,
  mockConfig,
  mockCreateLabel,
  mockJobs,
  mockLog,
  mockStatus,
  mockTokens,
  recordedGitHub,
  REPO_PATH,
  startCiKeel,
  type GitHub,
} from './ci-scenario.js';

useGitHubMock();

const RUN_ID = 5550001;

let keel: TestKeel;
beforeEach(async () => {
  keel = await startCiKeel();
});
afterEach(() => keel.stop());

function mockFailedPushRun(github: GitHub): void {
  mockConfig(github, null);
  mockJobs(github, RUN_ID, 1, [apiJobFor('tsc-errors', { id: RUN_ID + 1, runId: RUN_ID })]);
  mockLog(github, RUN_ID + 1, 'tsc-errors');
  mockStatus(github, SHA);
  mockCreateLabel(github);
}

async function deliveryStatus(id: string): Promise<string> {
  const response = await keel.api(`/api/deliveries/${id}`);
  return ((await response.json()) as { status: string }).status;
}

describe('a tracking issue whose create response was lost', () => {
  it('is found by its marker when the delivery runs again, and not opened a second time', async () => {
    const github = recordedGitHub();
    mockTokens(github);
    mockFailedPushRun(github);
    github.api.get(`${REPO_PATH}/issues`).query({ labels: 'keel:ci', state: 'open', per_page: 100 }).reply(200, []);
    let created: { title: string; body: string } | undefined;
    github.api.post(`${REPO_PATH}/issues`).reply(502, (_uri, body) => {
      created = body as { title: string; body: string };
      return { message: 'Server Error' };
    });
    // The retry: GitHub lists the issue it did create.
    mockFailedPushRun(github);
    github.api
      .get(`${REPO_PATH}/issues`)
      .query({ labels: 'keel:ci', state: 'open', per_page: 100 })
      .reply(200, () => [
        { number: 31, title: created?.title, body: created?.body, user: { login: 'keel[bot]', type: 'Bot' } },
      ]);

    const payload = workflowRunCompleted({
      runId: RUN_ID,
      headSha: SHA,
      event: 'push',
      headBranch: DEFAULT_BRANCH,
      pulls: [],
    });
    expect((await keel.send('workflow_run', payload, 'lost-create')).status).toBe(202);
    for (let tries = 0; tries < 100 && (await deliveryStatus('lost-create')) !== 'processed'; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await deliveryStatus('lost-create')).toBe('processed');
    expect(apiRequests(github).filter((request) => request.startsWith(`POST ${REPO_PATH}/issues`))).toEqual([
      `POST ${REPO_PATH}/issues`,
    ]);
  });
});
