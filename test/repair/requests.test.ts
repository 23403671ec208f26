/**
 * What repair costs in GitHub requests, for a repository with 10 workflows and 5 findings (the
 * numbers in the README): the first pull request, then an unchanged re-scan that opens nothing
 * and makes conditional reads only (GitHub answers 304, which does not count against the rate limit).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { capabilityDeps, type CapabilityDeps } from '../../src/capability-deps.js';
import { repairPlugin } from '../../src/repair/plugin.js';
import { repairRepository, type RepairTarget } from '../../src/repair/repair-repository.js';
import { HOURLY_OPENINGS, readOpenRepairPullRequest } from '../../src/repair/store.js';
import { useGitHubMock } from '../helpers/github-mock.js';
import { startKeel, type TestKeel } from '../helpers/keel.js';
import {
  DEFAULT_BRANCH,
  INSTALLATION_ID,
  mockBlobs,
  mockCommit,
  mockListing,
  mockOpenPull,
  mockPulls,
  mockRelist,
  mockTokens,
  OWNER,
  recordedGitHub,
  REPO,
  REPO_PATH,
  REPOSITORY_ID,
  type RepoFile,
} from './github-scenario.js';

useGitHubMock();

const TARGET: RepairTarget = {
  installationId: INSTALLATION_ID,
  repository: { id: REPOSITORY_ID, owner: OWNER, name: REPO, defaultBranch: DEFAULT_BRANCH },
  trigger: 'sweep',
};
const RAW = { 'content-type': 'application/vnd.github.raw; charset=utf-8' };
const STEP = [
  '      - uses: actions/checkout@v4',
  '      - run: echo "::set-output name=a::b"',
  '      - uses: actions/checkout@v5',
];
const WORKFLOWS: RepoFile[] = Array.from({ length: 10 }, (_, index) => ({
  path: `.github/workflows/w${index}.yml`,
  text: [
    'on: push',
    'jobs:',
    '  job:',
    `    runs-on: ${index === 3 ? 'ubuntu-20.04' : 'ubuntu-latest'}`,
    '    steps:',
    index < 3 ? STEP[0] : index === 4 ? STEP[1] : STEP[2],
    '',
  ].join('\n'),
}));

let keel: TestKeel;
let deps: CapabilityDeps;
beforeEach(async () => {
  keel = await startKeel({ plugins: [repairPlugin({ background: false })] });
  deps = capabilityDeps(keel.keel, 'repair');
});
afterEach(() => keel.stop());

describe('GitHub requests for 10 workflows with 5 findings', () => {
  it('first pull request: 28 requests (2 of them token mints); unchanged re-scan: 3 conditional reads answered 304', async () => {
    const first = recordedGitHub();
    mockTokens(first.scope);
    first.scope
      .get(`${REPO_PATH}/contents/.github%2Fkeel.yml`)
      .reply(200, 'repair: true\n', { ...RAW, etag: '"config-1"' });
    mockListing(first.scope, WORKFLOWS);
    mockBlobs(first.scope, WORKFLOWS);
    mockPulls(first.scope, []);
    mockCommit(first.scope, 5, { atHead: WORKFLOWS });
    mockOpenPull(first.scope);
    mockRelist(first.scope);
    expect(await repairRepository(deps, TARGET)).toMatchObject({ kind: 'opened', findings: 5, files: 5 });
    expect(first.requests).toHaveLength(28);
    expect(await readOpenRepairPullRequest(keel.keel.store, REPOSITORY_ID)).toMatchObject({
      number: 7,
      url: `https://github.com/${OWNER}/${REPO}/pull/7`,
    });

    const again = recordedGitHub();
    again.scope.get(`${REPO_PATH}/contents/.github%2Fkeel.yml`).matchHeader('if-none-match', '"config-1"').reply(304);
    mockListing(again.scope, [], { notModified: true, ifNoneMatch: '"listing-1"' });
    mockPulls(again.scope, [], { notModified: true, ifNoneMatch: '"pulls-2"' });
    expect(await repairRepository(deps, TARGET)).toMatchObject({ kind: 'unchanged', findings: 5 });
    expect(again.requests).toEqual([
      `GET ${REPO_PATH}/contents/.github%2Fkeel.yml`,
      `GET ${REPO_PATH}/contents/.github%2Fworkflows`,
      `GET ${REPO_PATH}/pulls`,
    ]);
  });
});

describe('the hourly cap', () => {
  it('queues a repository past 10 new pull requests an hour in one installation', async () => {
    const now = Date.now();
    await keel.keel.store.db
      .insertInto('repair_openings')
      .values(
        Array.from({ length: HOURLY_OPENINGS }, (_, index) => ({
          installation_id: INSTALLATION_ID,
          repository_id: index,
          branch: 'keel/repair-workflows',
          opened_at: now - 60_000,
        })),
      )
      .execute();
    const { scope } = recordedGitHub();
    mockTokens(scope);
    scope.get(`${REPO_PATH}/contents/.github%2Fkeel.yml`).reply(200, 'repair: true\n', RAW);
    mockListing(scope, WORKFLOWS.slice(0, 1));
    mockBlobs(scope, WORKFLOWS.slice(0, 1));
    mockPulls(scope, []);
    expect(await repairRepository(deps, TARGET)).toMatchObject({ kind: 'deferred', findings: 1 });
    const queued = await keel.keel.store.db.selectFrom('repair_queue').selectAll().execute();
    expect(queued).toMatchObject([{ repository_id: REPOSITORY_ID, owner: OWNER, name: REPO }]);
  });
});
