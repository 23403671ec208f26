import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { capabilityDeps, type CapabilityDeps } from '../../src/capability-deps.js';
import { GuardError } from '../../src/errors.js';
import { commitToBranch } from '../../src/repair/github-writes.js';
import { repairPlugin } from '../../src/repair/plugin.js';
import { repairRepository, type RepairTarget } from '../../src/repair/repair-repository.js';
import { useGitHubMock } from '../helpers/github-mock.js';
import { startKeel, type TestKeel } from '../helpers/keel.js';
import {
  DEFAULT_BRANCH,
  HEAD_SHA,
  INSTALLATION_ID,
  mockBlobs,
  mockCommit,
  mockConfig,
  mockFilesAtHead,
  mockListing,
  mockOpenPull,
  mockPulls,
  mockRelist,
  mockTokens,
  OWNER,
  recordedGitHub,
  REPAIR_PERMISSIONS,
  REPO,
  REPO_PATH,
  REPOSITORY_ID,
  type RepoFile,
} from './github-scenario.js';

useGitHubMock();

const TARGET: RepairTarget = {
  installationId: INSTALLATION_ID,
  repository: { id: REPOSITORY_ID, owner: OWNER, name: REPO, defaultBranch: DEFAULT_BRANCH },
  trigger: 'command',
};
const OLD_SHA = '8e5e7e5ab8b370d6c329ec480221332ada57f0ab';
const NEW_SHA = '08c6903cd8c0fde910a37f88322edcfb5dd907a8';
const RAW = { 'content-type': 'application/vnd.github.raw; charset=utf-8' };

let keel: TestKeel;
let deps: CapabilityDeps;
beforeEach(async () => {
  keel = await startKeel({
    plugins: [repairPlugin({ background: false })],
    env: { KEEL_PUBLIC_URL: 'https://keel.example.com' },
  });
  deps = capabilityDeps(keel.keel, 'repair');
});
afterEach(() => keel.stop());

function workflow(...steps: string[]): RepoFile {
  return {
    path: '.github/workflows/build.yaml',
    text: ['on: push', 'jobs:', '  build:', '    runs-on: ubuntu-latest', '    steps:', ...steps, ''].join('\n'),
  };
}

function expectOpened(files: RepoFile[], facts: () => void): { blobs: string[]; body: () => string } {
  const { scope } = recordedGitHub();
  mockTokens(scope);
  mockConfig(scope, null);
  mockListing(scope, files);
  mockBlobs(scope, files);
  facts();
  mockPulls(scope, []);
  const commit = mockCommit(scope, files.length, { atHead: files });
  const opened = mockOpenPull(scope);
  mockRelist(scope);
  return { blobs: commit.blobs, body: () => opened[0]?.body ?? '' };
}

describe('repairRepository', () => {
  it('moves a SHA-pinned action to the new release’s SHA and updates its version comment', async () => {
    const file = workflow(`      - uses: actions/checkout@${OLD_SHA} # v4.1.1`);
    const opened = expectOpened([file], () => {
      const scope = recordedGitHub().scope;
      scope
        .get('/repos/actions/checkout/contents/action.yml')
        .query({ ref: OLD_SHA })
        .reply(200, "runs:\n  using: 'node20'\n  main: dist/index.js\n", RAW);
      scope
        .get('/repos/actions/checkout/tags')
        .query({ per_page: 100 })
        .reply(200, [{ name: 'v5.0.0' }, { name: 'v5' }, { name: 'v4.2.2' }, { name: 'v4' }]);
      scope.get('/repos/actions/checkout/commits/v5.0.0').reply(200, NEW_SHA);
    });
    const outcome = await repairRepository(deps, TARGET);
    expect(outcome).toMatchObject({
      kind: 'opened',
      findings: 1,
      pullRequestUrl: `https://github.com/${OWNER}/${REPO}/pull/7`,
    });
    expect(opened.blobs).toEqual([file.text.replace(`${OLD_SHA} # v4.1.1`, `${NEW_SHA} # v5.0.0`)]);
    expect(opened.body()).toContain(
      `| \`actions/checkout@${OLD_SHA} # v4.1.1\` | \`actions/checkout@${NEW_SHA} # v5.0.0\` | JavaScript action on Node 12, 16 or 20 |`,
    );
  });

  it('finds a third-party action running on Node 20 through its action.yml and moves it to the first release on Node 24', async () => {
    const file = workflow('      - uses: someone/deploy-action@v2');
    const opened = expectOpened([file], () => {
      const scope = recordedGitHub().scope;
      scope
        .get('/repos/someone/deploy-action/contents/action.yml')
        .query({ ref: 'v2' })
        .reply(200, 'runs:\n  using: node20\n', RAW);
      scope
        .get('/repos/someone/deploy-action/tags')
        .query({ per_page: 100 })
        .reply(200, [{ name: 'v3.0.0' }, { name: 'v3' }, { name: 'v2.4.0' }, { name: 'v2' }]);
      scope
        .get('/repos/someone/deploy-action/contents/action.yml')
        .query({ ref: 'v3.0.0' })
        .reply(200, 'runs:\n  using: node24\n', RAW);
    });
    await repairRepository(deps, TARGET);
    expect(opened.blobs).toEqual([file.text.replace('deploy-action@v2', 'deploy-action@v3')]);
  });

  it('never builds on a head where a push changed the workflow after the scan read it: it scans again', async () => {
    const read = workflow('      - run: make test').text.replace('ubuntu-latest', 'ubuntu-20.04');
    const scanned: RepoFile = { path: '.github/workflows/build.yaml', text: read };
    // Pushed between the scan and the commit: a lint step the repair must keep.
    const pushed: RepoFile = {
      ...scanned,
      text: read.replace('      - run: make test', '      - run: make lint\n      - run: make test'),
    };
    const { scope } = recordedGitHub();
    mockTokens(scope);
    mockConfig(scope, null);
    mockListing(scope, [scanned]);
    mockBlobs(scope, [scanned]);
    mockPulls(scope, []);
    scope.get(`${REPO_PATH}/git/ref/heads%2F${DEFAULT_BRANCH}`).reply(200, { object: { sha: HEAD_SHA } });
    mockFilesAtHead(scope, [pushed]);
    // The second scan, from the head the push made.
    mockConfig(scope, null);
    mockListing(scope, [pushed], { etag: '"listing-2"', ifNoneMatch: '"listing-1"' });
    mockBlobs(scope, [pushed]);
    mockPulls(scope, [], { notModified: true, ifNoneMatch: '"pulls-1"' });
    const commit = mockCommit(scope, 1, { atHead: [pushed] });
    mockOpenPull(scope);
    mockRelist(scope);

    expect(await repairRepository(deps, TARGET)).toMatchObject({ kind: 'opened', findings: 1 });
    expect(commit.blobs).toEqual([pushed.text.replace('ubuntu-20.04', 'ubuntu-24.04')]);
    expect(commit.blobs[0]).toContain('make lint');
  });

  it('in dry-run mode opens nothing and lists the would-be changes on a signed page', async () => {
    const file = workflow('      - uses: actions/upload-artifact@v3');
    const { scope } = recordedGitHub();
    mockTokens(scope);
    mockConfig(scope, 'repair:\n  mode: dry-run\n');
    mockListing(scope, [file]);
    mockBlobs(scope, [file]);
    const outcome = await repairRepository(deps, TARGET);
    expect(outcome).toMatchObject({ kind: 'dry-run', findings: 1 });
    expect(outcome.detailsUrl).toMatch(/^https:\/\/keel\.example\.com\/repair\/[0-9a-f]+\?sig=/);
    const url = new URL(outcome.detailsUrl ?? '');
    const page = await fetch(`${keel.url}${url.pathname}${url.search}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<code>.github/workflows/build.yaml:6</code>');
    expect(html).toContain('<code>actions/upload-artifact@v6</code>');
    expect(html).toContain('fails now (since 2025-01-30)');
    expect((await fetch(`${keel.url}${url.pathname}?sig=forged`)).status).toBe(404);
  });

  it('is disabled when the console switched the service off', async () => {
    await keel.keel.store.db
      .insertInto('integrations')
      .values({
        id: 'int-1',
        provider: 'github',
        host: 'github.com',
        external_id: String(INSTALLATION_ID),
        installation_id: INSTALLATION_ID,
        name: OWNER,
        added_by: null,
        services: JSON.stringify({ repair: false }),
        exclusions: '[]',
        created_at: 0,
        updated_at: 0,
      })
      .execute();
    expect(await repairRepository(deps, TARGET)).toMatchObject({ kind: 'disabled', reason: 'service-off' });
  });
});

describe('the request guard', () => {
  it('refuses to point the default branch at a repair commit, before the request leaves', async () => {
    const { scope, requests } = recordedGitHub();
    scope.post(`/app/installations/${INSTALLATION_ID}/access_tokens`).reply(201, {
      token: 'ghs_repairToken',
      expires_at: new Date(Date.now() + 3_600_000).toISOString(),
      permissions: REPAIR_PERMISSIONS,
    });
    const writes = mockCommit(scope, 1, { refused: true });
    const octokit = await deps.tokens.octokitFor({
      installationId: INSTALLATION_ID,
      repositoryIds: [REPOSITORY_ID],
      permissions: REPAIR_PERMISSIONS as never,
    });
    await expect(
      commitToBranch(
        octokit,
        { owner: OWNER, repo: REPO, githubHost: 'api.github.com' },
        {
          base: DEFAULT_BRANCH,
          branch: DEFAULT_BRANCH,
          message: 'm',
          files: [{ path: '.github/workflows/a.yml', text: 'a', basedOn: null }],
        },
      ),
    ).rejects.toBeInstanceOf(GuardError);
    expect(writes.ref).toBeUndefined();
    expect(requests).not.toContain(`POST ${REPO_PATH}/git/refs`);
  });

  it('refuses to merge a pull request', async () => {
    recordedGitHub()
      .scope.post(`/app/installations/${INSTALLATION_ID}/access_tokens`)
      .reply(201, {
        token: 'ghs_repairToken',
        expires_at: new Date(Date.now() + 3_600_000).toISOString(),
        permissions: REPAIR_PERMISSIONS,
      });
    const octokit = await deps.tokens.octokitFor({
      installationId: INSTALLATION_ID,
      repositoryIds: [REPOSITORY_ID],
      permissions: REPAIR_PERMISSIONS as never,
    });
    await expect(
      octokit.request('PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge', {
        owner: OWNER,
        repo: REPO,
        pull_number: 7,
      }),
    ).rejects.toBeInstanceOf(GuardError);
  });
});
