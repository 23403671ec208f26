import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  apiJobFor,
  INSTALLATION_ID,
  OWNER,
  REPO,
  REPOSITORY_ID,
  SHA,
  workflowRunCompleted,
} from '../../fixtures/ci/payloads.js';
import { saveScan } from '../../src/repair/store.js';
import { useGitHubMock } from '../helpers/github-mock.js';
import type { TestKeel } from '../helpers/keel.js';
import {
  apiRequests,
  deliver,
  LOG_HOST,
  localPageUrl,
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
} from './ci-scenario.js';

useGitHubMock();

const RUN_ID = 289782451;
const JOB_ID = 5101;
const ARTIFACT_NOTICE = 'https://github.blog/changelog/2024-04-16-deprecation-notice-v3-of-the-artifact-actions/';
const RETIREMENT_LINE = `> GitHub retirement: **actions/upload-artifact below v4**, fails now (since 2025-01-30) · [GitHub's notice](${ARTIFACT_NOTICE})`;
const REPAIR_PULL_URL = `https://github.com/${OWNER}/${REPO}/pull/12`;

let keel: TestKeel;
beforeEach(async () => {
  keel = await startCiKeel();
});
afterEach(() => keel.stop());

/** A failed `CI` run on PR #7 whose job GitHub refused for its actions/upload-artifact v3; returns the comment and status bodies. */
async function failOnDeprecatedArtifact() {
  const github = recordedGitHub();
  mockTokens(github);
  mockConfig(github, null);
  mockJobs(github, RUN_ID, 1, [apiJobFor('github-deprecated-action', { id: JOB_ID, runId: RUN_ID })]);
  mockLog(github, JOB_ID, 'github-deprecated-action');
  const statuses = mockStatus(github, SHA);
  mockListComments(github, 7);
  const created = mockCreateComment(github, 7, 880101);
  await deliver(keel, 'workflow_run', workflowRunCompleted({ runId: RUN_ID }));
  return { github, statuses, body: String(created.bodies[0]?.body ?? '') };
}

/** What the repair capability stored after opening its pull request #12. */
async function storeOpenRepairPull(): Promise<void> {
  await saveScan(
    keel.keel.store,
    { repositoryId: REPOSITORY_ID, installationId: INSTALLATION_ID },
    {
      listingEtag: null,
      pullsEtag: null,
      pulls: [{ number: 12, state: 'open', merged: false, body: '', url: REPAIR_PULL_URL }],
      tableFingerprint: 'test',
      files: [],
      findings: [],
    },
    Date.now(),
  );
}

describe('a run that failed on something GitHub retired', () => {
  it('names the retirement with its notice in the comment and says how to get the repair pull request', async () => {
    const { body, github } = await failOnDeprecatedArtifact();
    expect(body).toContain(
      [
        RETIREMENT_LINE,
        '>',
        '> No repair pull request is open yet: Keel opens one when a run on the default branch fails, or comment `/keel repair` to ask for it now.',
      ].join('\n'),
    );
    // The repair pull request is looked up in Keel's store: no request to GitHub for it.
    expect(apiRequests(github)).toEqual([
      `GET ${REPO_PATH}/contents/.github%2Fkeel.yml`,
      `GET /repos/${OWNER}/.github/contents/.github%2Fkeel.yml`,
      `GET ${REPO_PATH}/actions/runs/${RUN_ID}/attempts/1/jobs?per_page=100`,
      `GET ${REPO_PATH}/actions/jobs/${JOB_ID}/logs`,
      `GET ${LOG_HOST}/logs/${JOB_ID}`,
      `POST ${REPO_PATH}/statuses/${SHA}`,
      `GET ${REPO_PATH}/issues/7/comments?per_page=100`,
      `POST ${REPO_PATH}/issues/7/comments`,
    ]);
  });

  it("links Keel's open repair pull request in the comment", async () => {
    await storeOpenRepairPull();
    const { body } = await failOnDeprecatedArtifact();
    expect(body).toContain([RETIREMENT_LINE, '>', "> Keel's repair pull request #12 fixes this."].join('\n'));
    expect(body).not.toContain('/keel repair');
  });

  it('shows the retirement, its notice and the repair pull request on the diagnosis page', async () => {
    await storeOpenRepairPull();
    const { statuses } = await failOnDeprecatedArtifact();
    const page = await (await fetch(localPageUrl(statuses[0]?.target_url, keel.url))).text();
    expect(page).toContain(
      'GitHub retirement: <strong>actions/upload-artifact below v4</strong>, fails now (since 2025-01-30)',
    );
    expect(page).toContain(`<a href="${ARTIFACT_NOTICE}" rel="noreferrer noopener">GitHub's notice</a>`);
    expect(page).toContain(`Keel's repair pull request <a href="${REPAIR_PULL_URL}">#12</a> fixes this.`);
  });

  it('tells on the diagnosis page how to ask for the repair pull request when none is open', async () => {
    const { statuses } = await failOnDeprecatedArtifact();
    const page = await (await fetch(localPageUrl(statuses[0]?.target_url, keel.url))).text();
    expect(page).toContain('comment <code>/keel repair</code> to ask for it now.');
  });
});
