import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { examples } from '../../fixtures/index.js';
import { CONFIG_TEMPLATE } from '../../src/repair/onboarding.js';
import { repairPlugin } from '../../src/repair/plugin.js';
import { KeelConfigSchema } from '../../src/repo-config/schema.js';
import { useGitHubMock } from '../helpers/github-mock.js';
import { startKeel, type TestKeel } from '../helpers/keel.js';
import {
  DEFAULT_BRANCH,
  HEAD_SHA,
  mockCommit,
  mockConfig,
  mockFilesAtHead,
  mockListing,
  mockOpenPull,
  mockPulls,
  mockTokens,
  recordedGitHub,
  REPO_PATH,
} from './github-scenario.js';

useGitHubMock();

let keel: TestKeel;
beforeEach(async () => {
  keel = await startKeel({ plugins: [repairPlugin({ background: false })] });
});
afterEach(() => keel.stop());

async function install(): Promise<void> {
  const payload = examples('installation.created')[0];
  const response = await keel.send('installation', payload);
  expect(response.status).toBe(202);
  await keel.keel.worker.idle();
}

/** The first repair of the joining repository: its default branch, no workflows. */
function mockFirstRepair(scope: ReturnType<typeof recordedGitHub>['scope']): void {
  scope.get(REPO_PATH).reply(200, { default_branch: DEFAULT_BRANCH });
  mockListing(scope, []);
  mockPulls(scope, []);
}

describe('a repository joining without .github/keel.yml', () => {
  it('gets one "Configure Keel" pull request adding the file with every option at its default', async () => {
    const { scope } = recordedGitHub();
    mockTokens(scope);
    mockConfig(scope, null);
    mockFirstRepair(scope);
    mockPulls(scope, [], { branch: 'keel/configure' });
    const commit = mockCommit(scope, 1, { branch: 'keel/configure' });
    const opened = mockOpenPull(scope, 3);
    await install();

    expect(commit.blobs).toEqual([CONFIG_TEMPLATE]);
    expect(commit.tree).toEqual([{ path: '.github/keel.yml', sha: 'blob-1' }]);
    expect(commit.ref).toEqual({ ref: 'refs/heads/keel/configure', sha: 'commit-new' });
    expect(opened).toMatchObject([{ title: 'Configure Keel', head: 'keel/configure', base: DEFAULT_BRANCH }]);
    expect(opened[0]?.body).toContain('A first scan found nothing GitHub retired in your workflows.');
    expect(opened[0]?.body).toContain('`repair: false`');
  });

  it('does not get it when someone pushed a .github/keel.yml after Keel looked: nothing is written', async () => {
    const { scope, requests } = recordedGitHub();
    mockTokens(scope);
    mockConfig(scope, null);
    mockFirstRepair(scope);
    mockPulls(scope, [], { branch: 'keel/configure' });
    scope.get(`${REPO_PATH}/git/ref/heads%2F${DEFAULT_BRANCH}`).reply(200, { object: { sha: HEAD_SHA } });
    mockFilesAtHead(scope, [{ path: '.github/keel.yml', text: 'repair: false\n' }], { directory: '.github' });
    await install();
    expect(requests.filter((request) => request.startsWith('POST') && !request.includes('access_tokens'))).toEqual([]);
  });

  it('does not get it again after a person closed it', async () => {
    const { scope } = recordedGitHub();
    mockTokens(scope);
    mockConfig(scope, null);
    mockFirstRepair(scope);
    mockPulls(scope, [{ number: 3, state: 'closed', body: '<!-- keel:configure -->' }], { branch: 'keel/configure' });
    await install();
  });

  it('does not get it when the organization has a configuration (onboarding: false)', async () => {
    const { scope } = recordedGitHub();
    mockTokens(scope);
    mockConfig(scope, null, { organization: 'onboarding: false\n' });
    mockFirstRepair(scope);
    await install();
  });
});

describe('the proposed configuration', () => {
  it('is every option at its default', () => {
    expect(KeelConfigSchema.parse(parse(CONFIG_TEMPLATE))).toEqual(KeelConfigSchema.parse({}));
    const keys = Object.keys(parse(CONFIG_TEMPLATE) as object).sort();
    expect(keys).toEqual(Object.keys(KeelConfigSchema.shape).sort());
  });
});
