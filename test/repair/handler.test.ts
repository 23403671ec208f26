import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { example } from '../../fixtures/index.js';
import { repairPlugin } from '../../src/repair/plugin.js';
import { fingerprintFindings, markerFor } from '../../src/repair/pull-request.js';
import { scanWorkflow } from '../../src/repair/scan-workflow.js';
import { reserveOpening } from '../../src/repair/store.js';
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

/** Waits until delivery `id` is processed, after `attempts` attempts (a failed one runs again after its backoff). */
async function waitUntilProcessed(id: string, attempts: number): Promise<void> {
  const row = () =>
    keel.keel.store.db.selectFrom('deliveries').select(['status', 'attempts']).where('id', '=', id).executeTakeFirst();
  await vi.waitFor(async () => expect(await row()).toEqual({ status: 'processed', attempts }), {
    timeout: 10_000,
    interval: 50,
  });
}

type Comment = { id: number; body: string; user: { type: string } };

/** The pull request #7's conversation comments as GitHub lists them: `comments`, or what it holds when asked. */
function mockListComments(scope: ReturnType<typeof recordedGitHub>['scope'], comments: Comment[] | (() => Comment[])) {
  scope
    .get('/repos/Codertocat/Hello-World/issues/7/comments')
    .query({ per_page: 100 })
    .reply(200, () => (typeof comments === 'function' ? comments() : comments));
}

/** Comments created on pull request #7's conversation: their bodies, in order. */
function mockCreateComment(scope: ReturnType<typeof recordedGitHub>['scope']): string[] {
  const bodies: string[] = [];
  scope
    .post('/repos/Codertocat/Hello-World/issues/7/comments', (body: { body: string }) => {
      bodies.push(body.body);
      return true;
    })
    .reply(201, () => ({ id: bodies.length }));
  return bodies;
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
    const commit = mockCommit(scope, 1, { atHead: [CI] });
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
    const commit = mockCommit(scope, 1, { existing: true, atHead: [CI] });
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
    mockCommit(first.scope, 1, { atHead: [CI] });
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

  it('opens the pull request when GitHub failed mid-way and the delivery runs again, counting it once against the hourly cap', async () => {
    // Nine of the installation's ten openings this hour are taken by other repositories.
    for (let repository = 1; repository <= 9; repository++) {
      await reserveOpening(
        keel.keel.store,
        { installationId: INSTALLATION_ID, repositoryId: repository, branch: 'keel/repair-workflows' },
        Date.now() - 10 * 60_000,
      );
    }
    const { scope } = recordedGitHub();
    mockTokens(scope);
    mockConfig(scope, null);
    mockListing(scope, [CI]);
    mockBlobs(scope, [CI]);
    mockPulls(scope, []);
    mockCommit(scope, 1, { atHead: [CI] });
    // The first attempt's pull request is refused by the rate limit: the delivery fails and runs again.
    scope
      .post('/repos/Codertocat/Hello-World/pulls')
      .reply(
        403,
        { message: 'API rate limit exceeded for installation ID 957387.' },
        { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + 60) },
      );
    mockConfig(scope, null);
    mockListing(scope, [], { notModified: true, ifNoneMatch: '"listing-1"' });
    mockBlobs(scope, [CI]);
    mockPulls(scope, [], { notModified: true, ifNoneMatch: '"pulls-1"' });
    mockCommit(scope, 1, { existing: true, atHead: [CI] });
    const opened = mockOpenPull(scope, 8);
    mockRelist(scope, [{ number: 8, state: 'open', body: 'opened' }]);

    expect((await keel.send('push', pushPayload(), 'push-tried-again')).status).toBe(202);
    await waitUntilProcessed('push-tried-again', 2);

    expect(opened).toMatchObject([{ head: 'keel/repair-workflows', base: DEFAULT_BRANCH }]);
    expect(await keel.keel.store.db.selectFrom('repair_queue').selectAll().execute()).toEqual([]);
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
    mockCommit(scope, 1, { existing: true, atHead: [CI] });
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
    mockCommit(scope, 1, { existing: true, atHead: [CI] });
    scope.post('/repos/Codertocat/Hello-World/pulls').reply(422, {
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
    mockListComments(scope, []);
    // A plain conversation comment: repair's pull_requests: write is enough for it.
    const comments = mockCreateComment(scope);
    const edited = mockEditPull(scope, 7);
    mockRelist(scope);
    await deliverPush();
    expect(comments).toEqual([expect.stringContaining('no longer uses anything it repaired')]);
    expect(comments[0]).toMatch(/\n\n<!-- keel:repair-closed -->$/);
    expect(edited).toEqual([{ state: 'closed', body: `…\n${markerFor('none')}` }]);
  });

  it('closes with one comment when the close fails and the delivery runs again: the comment is found by its marker', async () => {
    const { scope } = recordedGitHub();
    const clean: RepoFile = { path: CI.path, text: REPAIRED_CI };
    mockTokens(scope);
    mockConfig(scope, null);
    mockListing(scope, [clean]);
    mockBlobs(scope, [clean]);
    mockPulls(scope, [{ number: 7, state: 'open', body: `…\n${markerFor(CI_HASH)}` }]);
    mockListComments(scope, []);
    const comments = mockCreateComment(scope);
    // GitHub's rate limit refuses the close: the delivery fails and runs again.
    scope
      .patch('/repos/Codertocat/Hello-World/pulls/7')
      .reply(
        403,
        { message: 'API rate limit exceeded for installation ID 957387.' },
        { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + 60) },
      );
    mockConfig(scope, null);
    mockListing(scope, [], { notModified: true, ifNoneMatch: '"listing-1"' });
    mockPulls(scope, [], { notModified: true, ifNoneMatch: '"pulls-1"' });
    mockListComments(scope, () => comments.map((body, index) => ({ id: index + 1, body, user: { type: 'Bot' } })));
    const edited = mockEditPull(scope, 7);
    mockRelist(scope);

    expect((await keel.send('push', pushPayload(), 'push-close-again')).status).toBe(202);
    await waitUntilProcessed('push-close-again', 2);

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
