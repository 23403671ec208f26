import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { example } from '../../fixtures/index.js';
import { repairPlugin } from '../../src/repair/plugin.js';
import { fingerprintFindings, markerFor } from '../../src/repair/pull-request.js';
import { scanWorkflow } from '../../src/repair/scan-workflow.js';
import { useGitHubMock } from '../helpers/github-mock.js';
import { startKeel, type TestKeel } from '../helpers/keel.js';
import {
  DEFAULT_BRANCH,
  INSTALLATION_ID,
  REPOSITORY_ID,
  mockBlobs,
  mockCommit,
  mockConfig,
  mockEditPull,
  mockListing,
  mockOpenPull,
  mockPulls,
  mockRelist,
  mockTokens,
  pushPayload,
  recordedGitHub,
  type RepoFile,
} from './github-scenario.js';

useGitHubMock();

const CI: RepoFile = {
  path: '.github/workflows/ci.yml',
  text: [
    'name: CI',
    'on: [push]',
    'jobs:',
    '  test:',
    "    runs-on: 'ubuntu-20.04'  # the old image",
    '    steps:',
    '      - uses: actions/checkout@v4',
    '      - run: |',
    '          echo "::set-output name=version::1.0"',
    '',
  ].join('\n'),
};
const REPAIRED_CI = CI.text
  .replace("'ubuntu-20.04'", "'ubuntu-24.04'")
  .replace('checkout@v4', 'checkout@v5')
  .replace('echo "::set-output name=version::1.0"', 'echo "version=1.0" >> "$GITHUB_OUTPUT"');
const CI_HASH = fingerprintFindings(scanWorkflow(CI.path, CI.text, new Map()));

let keel: TestKeel;
beforeEach(async () => {
  keel = await startKeel({
    plugins: [repairPlugin({ background: false })],
    env: { KEEL_PUBLIC_URL: 'https://keel.example.com' },
  });
});
afterEach(() => keel.stop());

async function deliverPush(id?: string): Promise<void> {
  const response = await keel.send('push', pushPayload(), id);
  expect(response.status).toBe(202);
  await keel.keel.worker.idle();
}

function expectGuardNeverTripped(): void {
  expect(keel.logs.filter((line) => line.includes('Refused before sending'))).toEqual([]);
}

describe('a push to the default branch touching a workflow', () => {
  it('opens one pull request from keel/repair-workflows with one commit repairing the file', async () => {
    const { scope } = recordedGitHub();
    mockTokens(scope);
    mockConfig(scope, null);
    mockListing(scope, [CI]);
    mockBlobs(scope, [CI]);
    mockPulls(scope, []);
    const commit = mockCommit(scope, 1);
    const opened = mockOpenPull(scope);
    mockRelist(scope);
    await deliverPush();

    expect(commit.blobs).toEqual([REPAIRED_CI]);
    expect(commit.tree).toEqual([{ path: CI.path, sha: 'blob-1' }]);
    expect(commit.ref).toEqual({ ref: 'refs/heads/keel/repair-workflows', sha: 'commit-new' });
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatchObject({
      title: 'Repair GitHub Actions workflows GitHub retired or deprecated',
      head: 'keel/repair-workflows',
      base: DEFAULT_BRANCH,
    });
    const body = opened[0]?.body ?? '';
    expect(body).toContain(
      '| `.github/workflows/ci.yml:5` | `ubuntu-20.04` | `ubuntu-24.04` | runner label ubuntu-20.04 | **fails now (since 2025-04-15)** | [notice](https://github.com/actions/runner-images/issues/11101) |',
    );
    expect(body).toContain('| `.github/workflows/ci.yml:7` | `actions/checkout@v4` | `actions/checkout@v5` |');
    expect(body).toContain('`echo "version=1.0" >> "$GITHUB_OUTPUT"`');
    expect(body).toContain(markerFor(CI_HASH));
    expectGuardNeverTripped();
  });

  it('moves the branch and edits the body of its open pull request when the findings changed', async () => {
    const { scope } = recordedGitHub();
    mockTokens(scope);
    mockConfig(scope, null);
    mockListing(scope, [CI]);
    mockBlobs(scope, [CI]);
    mockPulls(scope, [{ number: 7, state: 'open', body: `Old findings\n${markerFor('0123456789abcdef')}` }]);
    const commit = mockCommit(scope, 1, { existing: true });
    const edited = mockEditPull(scope, 7);
    mockRelist(scope);
    await deliverPush();

    expect(commit.ref).toEqual({ sha: 'commit-new', force: true });
    expect(edited).toHaveLength(1);
    expect(edited[0]?.body).toContain(markerFor(CI_HASH));
    expectGuardNeverTripped();
  });

  it('opens no second pull request for the same event delivered twice', async () => {
    const first = recordedGitHub();
    mockTokens(first.scope);
    mockConfig(first.scope, null);
    mockListing(first.scope, [CI]);
    mockBlobs(first.scope, [CI]);
    mockPulls(first.scope, []);
    mockCommit(first.scope, 1);
    const opened = mockOpenPull(first.scope);
    mockRelist(first.scope);
    await deliverPush('delivery-1');

    const second = recordedGitHub();
    mockConfig(second.scope, null);
    mockListing(second.scope, [], { notModified: true, ifNoneMatch: '"listing-1"' });
    mockPulls(second.scope, [], { notModified: true, ifNoneMatch: '"pulls-2"' });
    await deliverPush('delivery-2');

    expect(opened).toHaveLength(1);
    expect(second.requests.filter((request) => !request.startsWith('GET'))).toEqual([]);
  });

  it('does not reopen a repair pull request a person closed without merging, for the same findings', async () => {
    const { scope, requests } = recordedGitHub();
    mockTokens(scope);
    mockConfig(scope, null);
    mockListing(scope, [CI]);
    mockBlobs(scope, [CI]);
    mockPulls(scope, [{ number: 7, state: 'closed', body: `…\n${markerFor(CI_HASH)}` }]);
    await deliverPush();
    expect(requests.filter((request) => !request.startsWith('GET') && !request.includes('access_tokens'))).toEqual([]);
  });

  it('opens a new one when a closed one declined other findings', async () => {
    const { scope } = recordedGitHub();
    mockTokens(scope);
    mockConfig(scope, null);
    mockListing(scope, [CI]);
    mockBlobs(scope, [CI]);
    mockPulls(scope, [{ number: 7, state: 'closed', body: `…\n${markerFor('0123456789abcdef')}` }]);
    mockCommit(scope, 1, { existing: true });
    const opened = mockOpenPull(scope, 8);
    mockRelist(scope);
    await deliverPush();
    expect(opened).toHaveLength(1);
  });

  it("updates the pull request another delivery opened meanwhile instead of failing on GitHub's 422", async () => {
    // A failed run's repair (keyed by workflow in the inbox) and a push's (keyed by repository)
    // may run at once: both read no pull request, the second POST is refused as a duplicate.
    const { scope, requests } = recordedGitHub();
    mockTokens(scope);
    mockConfig(scope, null);
    mockListing(scope, [CI]);
    mockBlobs(scope, [CI]);
    mockPulls(scope, []);
    mockCommit(scope, 1, { existing: true });
    scope
      .post('/repos/Codertocat/Hello-World/pulls')
      .reply(422, {
        message: 'Validation Failed',
        errors: [{ message: 'A pull request already exists for Codertocat:keel/repair-workflows.' }],
      });
    mockPulls(scope, [{ number: 9, state: 'open', body: 'opened by the other delivery' }], { etag: '"pulls-9"' });
    const edited = mockEditPull(scope, 9);
    mockRelist(scope, [{ number: 9, state: 'open', body: 'edited' }]);
    await deliverPush();
    expect(edited).toEqual([{ title: expect.any(String), body: expect.stringContaining(markerFor(CI_HASH)) }]);
    expect(requests.filter((request) => request === 'POST /repos/Codertocat/Hello-World/pulls')).toHaveLength(1);
    const row = await keel.keel.store.db.selectFrom('deliveries').select(['status']).executeTakeFirst();
    expect(row?.status).toBe('processed');
  });

  it('closes its pull request with a conversation comment when nothing is left to repair', async () => {
    const { scope } = recordedGitHub();
    const clean: RepoFile = { path: CI.path, text: REPAIRED_CI };
    mockTokens(scope);
    mockConfig(scope, null);
    mockListing(scope, [clean]);
    mockBlobs(scope, [clean]);
    mockPulls(scope, [{ number: 7, state: 'open', body: `…\n${markerFor(CI_HASH)}` }]);
    const comments: string[] = [];
    scope
      // A plain conversation comment: repair's pull_requests: write is enough for it.
      .post('/repos/Codertocat/Hello-World/issues/7/comments', (body: { body: string }) => {
        comments.push(body.body);
        return true;
      })
      .reply(201, {});
    const edited = mockEditPull(scope, 7);
    mockRelist(scope);
    await deliverPush();
    expect(comments).toEqual([expect.stringContaining('no longer uses anything it repaired')]);
    expect(edited).toEqual([{ state: 'closed', body: `…\n${markerFor('none')}` }]);
  });

  it('writes nothing when .github/keel.yml says repair: false', async () => {
    const { scope } = recordedGitHub();
    mockTokens(scope, { repair: false });
    mockConfig(scope, 'repair: false\n');
    await deliverPush();
  });
});

describe('other events', () => {
  it('a push that touches no workflow costs no request', async () => {
    const payload = pushPayload();
    payload.commits = payload.commits.map((commit) => ({ ...commit, modified: ['README.md'] }));
    const { requests } = recordedGitHub();
    await keel.send('push', payload);
    await keel.keel.worker.idle();
    expect(requests).toEqual([]);
  });

  it('a failed run costs repair no request: the CI diagnosis, which reads its log, starts repair on a retirement', async () => {
    const payload = example('workflow_run.completed');
    payload.installation = { id: INSTALLATION_ID, node_id: 'MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uOTU3Mzg3' };
    payload.repository.id = REPOSITORY_ID;
    payload.repository.default_branch = DEFAULT_BRANCH;
    payload.workflow_run.head_branch = DEFAULT_BRANCH;
    payload.workflow_run.conclusion = 'failure';
    const { requests } = recordedGitHub();
    await keel.send('workflow_run', payload);
    await keel.keel.worker.idle();
    expect(requests).toEqual([]);
  });
});
