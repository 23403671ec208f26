import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  apiJobFor,
  DEFAULT_BRANCH,
  INSTALLATION_ID,
  OWNER,
  REPO,
  REPOSITORY_ID,
  SHA,
  workflowRunCompleted,
} from '../../fixtures/ci/payloads.js';
import { capabilityDeps } from '../../src/capability-deps.js';
import { createRepairJobs, QUEUE_JOB } from '../../src/repair/jobs.js';
import { saveScan } from '../../src/repair/store.js';
import { fingerprintFindings, markerFor } from '../../src/repair/pull-request.js';
import { scanWorkflow } from '../../src/repair/scan-workflow.js';
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

/**
 * A failed `CI` run on PR #7 whose job GitHub refused for its actions/upload-artifact v3; returns
 * the comment and status bodies. `config`: the repository's `.github/keel.yml` (repair off unless
 * a test says otherwise: the repair it starts reads the file again and writes nothing); `repair`:
 * mocks for the repair.
 */
async function failOnDeprecatedArtifact({
  config = 'repair: false\n',
  repair = (github: ReturnType<typeof recordedGitHub>) => mockConfig(github, config),
}: { config?: string | null; repair?: (github: ReturnType<typeof recordedGitHub>) => void } = {}) {
  const github = recordedGitHub();
  mockTokens(github);
  mockConfig(github, config);
  repair(github);
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
        '> No repair pull request is open: repair is switched off here, waiting for the hourly limit on new bot pull requests, or found nothing to change on the default branch. To find out which, or to try again, comment `/keel repair` to ask for it now.',
      ].join('\n'),
    );
    // Repair is off in .github/keel.yml: it reads the file and nothing else, and the pull
    // request is looked up in Keel's store.
    expect(apiRequests(github)).toEqual([
      `GET ${REPO_PATH}/contents/.github%2Fkeel.yml`,
      `GET ${REPO_PATH}/actions/runs/${RUN_ID}/attempts/1/jobs?per_page=100`,
      `GET ${REPO_PATH}/actions/jobs/${JOB_ID}/logs`,
      `GET ${LOG_HOST}/logs/${JOB_ID}`,
      `GET ${REPO_PATH}/contents/.github%2Fkeel.yml`,
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

/** The default branch's workflow, still on the artifact action GitHub shut down. */
const WORKFLOW = {
  path: '.github/workflows/ci.yml',
  sha: 'b'.repeat(40),
  text: [
    'name: CI',
    'on: [push, pull_request]',
    'jobs:',
    '  build:',
    '    runs-on: ubuntu-24.04',
    '    steps:',
    '      - uses: actions/upload-artifact@v3',
    '        with:',
    '          name: dist',
    '          path: dist',
    '',
  ].join('\n'),
};
const REPAIR_PERMISSIONS = { contents: 'write', workflows: 'write', pull_requests: 'write' };
const REPAIR_HEAD = `${OWNER}:keel/repair-workflows`;

/** The repair's scan of the default branch: its configuration read, its token, the workflows, and Keel's pull requests (`pulls`). */
function mockRepairScan(github: ReturnType<typeof recordedGitHub>, pulls: unknown[]): void {
  mockConfig(github, null);
  github.api
    .post(`/app/installations/${INSTALLATION_ID}/access_tokens`, {
      repository_ids: [REPOSITORY_ID],
      permissions: REPAIR_PERMISSIONS,
    })
    .reply(201, {
      token: 'ghs_repairTestToken',
      expires_at: new Date(Date.now() + 3_600_000).toISOString(),
      permissions: { ...REPAIR_PERMISSIONS, metadata: 'read' },
    });
  github.api
    .get(`${REPO_PATH}/contents/.github%2Fworkflows`)
    .query({ ref: DEFAULT_BRANCH })
    .reply(200, [{ type: 'file', name: 'ci.yml', path: WORKFLOW.path, sha: WORKFLOW.sha }], { etag: '"l1"' });
  github.api
    .get(`${REPO_PATH}/git/blobs/${WORKFLOW.sha}`)
    .reply(200, { content: Buffer.from(WORKFLOW.text).toString('base64'), encoding: 'base64' });
  github.api
    .get(`${REPO_PATH}/pulls`)
    .query((query) => query.head === REPAIR_HEAD)
    .reply(200, pulls, { etag: '"p1"' });
}

/** The repair opening pull request #12: one commit on keel/repair-workflows, the pull request, the list read again. */
function mockRepairOpening(github: ReturnType<typeof recordedGitHub>): void {
  const { api } = github;
  api.get(`${REPO_PATH}/git/ref/heads%2F${DEFAULT_BRANCH}`).reply(200, { object: { sha: SHA } });
  // The workflow is still what the scan read at the head the commit builds on.
  api
    .get(`${REPO_PATH}/contents/.github%2Fworkflows`)
    .query({ ref: SHA })
    .reply(200, [{ type: 'file', name: 'ci.yml', path: WORKFLOW.path, sha: WORKFLOW.sha }]);
  api.get(`${REPO_PATH}/git/commits/${SHA}`).reply(200, { sha: SHA, tree: { sha: 'tree-base' } });
  api.post(`${REPO_PATH}/git/blobs`).reply(201, { sha: 'blob-new' });
  api.post(`${REPO_PATH}/git/trees`).reply(201, { sha: 'tree-new' });
  api.post(`${REPO_PATH}/git/commits`).reply(201, { sha: 'commit-new' });
  api.post(`${REPO_PATH}/git/refs`).reply(201, {});
  api.post(`${REPO_PATH}/pulls`).reply(201, { number: 12, html_url: REPAIR_PULL_URL });
  api
    .get(`${REPO_PATH}/pulls`)
    .query((query) => query.head === REPAIR_HEAD)
    .reply(200, [{ number: 12, state: 'open', merged_at: null, body: 'opened', html_url: REPAIR_PULL_URL }], {
      etag: '"p2"',
    });
}

describe('the repair a retirement in a run log starts', () => {
  it('opens the repair pull request before the comment is written, so the comment links it', async () => {
    const { body, github } = await failOnDeprecatedArtifact({
      config: null,
      repair: (scenario) => {
        mockRepairScan(scenario, []);
        mockRepairOpening(scenario);
      },
    });
    expect(body).toContain([RETIREMENT_LINE, '>', "> Keel's repair pull request #12 fixes this."].join('\n'));
    const requests = apiRequests(github);
    expect(requests.indexOf(`POST ${REPO_PATH}/pulls`)).toBeLessThan(
      requests.indexOf(`POST ${REPO_PATH}/issues/7/comments`),
    );
  });

  it('links the pull request a repair already keeps open, without a second one', async () => {
    const findings = scanWorkflow(WORKFLOW.path, WORKFLOW.text, new Map());
    const { body, github } = await failOnDeprecatedArtifact({
      config: null,
      repair: (scenario) =>
        mockRepairScan(scenario, [
          {
            number: 12,
            state: 'open',
            merged_at: null,
            body: markerFor(fingerprintFindings(findings)),
            html_url: REPAIR_PULL_URL,
          },
        ]),
    });
    expect(body).toContain("> Keel's repair pull request #12 fixes this.");
    expect(apiRequests(github)).not.toContain(`POST ${REPO_PATH}/pulls`);
  });

  it('still posts the diagnosis when the repair fails', async () => {
    const { body } = await failOnDeprecatedArtifact({
      config: null,
      repair: (scenario) => {
        mockConfig(scenario, null);
        scenario.api
          .post(`/app/installations/${INSTALLATION_ID}/access_tokens`, {
            repository_ids: [REPOSITORY_ID],
            permissions: REPAIR_PERMISSIONS,
          })
          .reply(403, { message: 'The permissions requested are not granted to this installation.' });
      },
    });
    expect(body).toContain(
      [
        RETIREMENT_LINE,
        '>',
        "> Keel's repair did not finish this time; the weekly sweep tries it again, and Keel's logs say why. Not to wait, comment `/keel repair` to ask for it now.",
      ].join('\n'),
    );
  });

  it('links the dry run instead of a pull request when repair runs in dry-run mode', async () => {
    const config = 'repair:\n  mode: dry-run\n';
    const { body, statuses } = await failOnDeprecatedArtifact({
      config,
      repair: (scenario) => {
        mockConfig(scenario, config);
        scenario.api
          .post(`/app/installations/${INSTALLATION_ID}/access_tokens`, {
            repository_ids: [REPOSITORY_ID],
            permissions: REPAIR_PERMISSIONS,
          })
          .reply(201, {
            token: 'ghs_repairToken',
            expires_at: new Date(Date.now() + 3_600_000).toISOString(),
            permissions: { ...REPAIR_PERMISSIONS, metadata: 'read' },
          });
        scenario.api
          .get(`${REPO_PATH}/contents/.github%2Fworkflows`)
          .query({ ref: DEFAULT_BRANCH })
          .reply(200, [{ type: 'file', name: 'ci.yml', path: WORKFLOW.path, sha: WORKFLOW.sha }], { etag: '"l1"' });
        scenario.api
          .get(`${REPO_PATH}/git/blobs/${WORKFLOW.sha}`)
          .reply(200, { content: Buffer.from(WORKFLOW.text).toString('base64'), encoding: 'base64' });
      },
    });
    const dryRun = /\[the dry run\]\((\S+)\)/.exec(body)?.[1] ?? '';
    expect(body).toContain(
      `> Repair runs in dry-run mode here, so no pull request is opened: [the dry run](${dryRun}) lists the changes it would make.`,
    );
    expect(body).not.toContain('/keel repair');
    expect(dryRun).toMatch(/^https:\/\/keel\.example\.com\/repair\/[0-9a-f]+\?sig=[\w-]+$/);
    const page = await (await fetch(localPageUrl(statuses[0]?.target_url, keel.url))).text();
    expect(page).toContain(
      `so no pull request is opened: <a href="${dryRun.replaceAll('&', '&amp;')}">the dry run</a>`,
    );
  });
  it('queues the repair when GitHub fails on something transient, and the hourly drain opens it', async () => {
    const { body } = await failOnDeprecatedArtifact({
      config: null,
      repair: (scenario) => {
        mockConfig(scenario, null);
        scenario.api
          .post(`/app/installations/${INSTALLATION_ID}/access_tokens`, {
            repository_ids: [REPOSITORY_ID],
            permissions: REPAIR_PERMISSIONS,
          })
          .reply(
            403,
            { message: 'API rate limit exceeded for installation ID 2.' },
            { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + 600) },
          );
      },
    });
    expect(body).toContain(
      "> Keel's repair did not finish this time (GitHub failed or could not be reached); it is retried within the hour. Not to wait, comment `/keel repair` to ask for it now.",
    );

    const drained = recordedGitHub();
    mockRepairScan(drained, []);
    // Queued by repository: the drain reads its default branch.
    drained.api.get(REPO_PATH).reply(200, { default_branch: DEFAULT_BRANCH });
    mockRepairOpening(drained);
    const drain = createRepairJobs(capabilityDeps(keel.keel, 'repair')).find((job) => job.name === QUEUE_JOB);
    const outcome = await drain?.run({
      startedAt: Date.now(),
      lastSuccessAt: null,
      stopping: () => false,
      signal: new AbortController().signal,
    });
    expect(outcome?.result).toEqual({ opened: 1 });
    expect(apiRequests(drained)).toContain(`POST ${REPO_PATH}/pulls`);
  });
});

describe('a failed run whose log names no retirement', () => {
  it('starts no repair: not a request beyond the diagnosis', async () => {
    const github = recordedGitHub();
    mockTokens(github);
    mockConfig(github, null);
    mockJobs(github, RUN_ID, 1, [apiJobFor('go-test-failures', { id: JOB_ID, runId: RUN_ID })]);
    mockLog(github, JOB_ID, 'go-test-failures');
    mockStatus(github, SHA);
    mockListComments(github, 7);
    const created = mockCreateComment(github, 7, 880102);
    await deliver(keel, 'workflow_run', workflowRunCompleted({ runId: RUN_ID }));
    expect(String(created.bodies[0]?.body)).not.toContain('repair');
    expect(apiRequests(github).filter((request) => /pulls|workflows|git\//.test(request))).toEqual([]);
  });
});
