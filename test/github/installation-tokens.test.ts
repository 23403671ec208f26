import type nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PermissionMissingError } from '../../src/errors.js';
import { githubApi, useGitHubMock } from '../helpers/github-mock.js';
import { startKeel, type TestKeel } from '../helpers/keel.js';

useGitHubMock();

const INSTALLATION = 42;
const REPOSITORY = 1296269;
const PR_CHECKS = { pull_requests: 'read', contents: 'read', statuses: 'write' } as const;
let keel: TestKeel;

beforeEach(async () => {
  keel = await startKeel();
});
afterEach(() => keel.stop());

function minted(permissions: Record<string, string>, expiresInMs = 60 * 60 * 1000) {
  return {
    token: 'ghs_narrowedTokenForTests000000000000000',
    expires_at: new Date(Date.now() + expiresInMs).toISOString(),
    permissions,
    repository_selection: 'selected',
  };
}

function mockMint(body: nock.DataMatcherMap, permissions: Record<string, string> = PR_CHECKS, expiresInMs?: number) {
  return githubApi()
    .post(`/app/installations/${INSTALLATION}/access_tokens`, body)
    .reply(201, minted({ metadata: 'read', ...permissions }, expiresInMs));
}

function prChecksToken(repositoryIds: number[] = [REPOSITORY]) {
  return keel.keel.tokens.octokitFor({ installationId: INSTALLATION, repositoryIds, permissions: PR_CHECKS });
}

describe('a PR check token', () => {
  it('is minted for exactly its repository and permissions', async () => {
    const scope = mockMint({ repository_ids: [REPOSITORY], permissions: PR_CHECKS });
    await prChecksToken();
    expect(scope.isDone()).toBe(true);
  });

  it('cannot write contents: the write is refused before it leaves the process', async () => {
    mockMint({ repository_ids: [REPOSITORY], permissions: PR_CHECKS });
    const octokit = await prChecksToken();
    const write = octokit.request('PUT /repos/{owner}/{repo}/contents/{path}', {
      owner: 'octocat',
      repo: 'Hello-World',
      path: 'README.md',
      message: 'edit',
      content: Buffer.from('hi').toString('base64'),
      branch: 'keel/connection-check',
    });
    await expect(write).rejects.toThrow(PermissionMissingError);
    await expect(write).rejects.toMatchObject({
      permission: 'contents',
      level: 'write',
      message: expect.stringContaining('needs contents: write'),
    });
  });

  it('cannot commit a workflow file with contents: write alone: workflows: write is needed too', async () => {
    const contents = { contents: 'write' } as const;
    githubApi()
      .post(`/app/installations/${INSTALLATION}/access_tokens`, { repository_ids: [REPOSITORY], permissions: contents })
      .reply(201, minted({ metadata: 'read', contents: 'write' }));
    const octokit = await keel.keel.tokens.octokitFor({
      installationId: INSTALLATION,
      repositoryIds: [REPOSITORY],
      permissions: contents,
    });
    const write = octokit.request('PUT /repos/{owner}/{repo}/contents/{path}', {
      owner: 'octocat',
      repo: 'Hello-World',
      path: '.github/workflows/ci.yml',
      message: 'fix',
      content: Buffer.from('on: push').toString('base64'),
      branch: 'keel/repair-workflows',
    });
    await expect(write).rejects.toMatchObject({ permission: 'workflows', level: 'write' });
  });

  it('may set the commit status it was narrowed for', async () => {
    mockMint({ repository_ids: [REPOSITORY], permissions: PR_CHECKS })
      .post('/repos/octocat/Hello-World/statuses/abc123', { state: 'success', context: 'keel/pr-checks' })
      .reply(201, { id: 1 });
    const octokit = await prChecksToken();
    const { status } = await octokit.request('POST /repos/{owner}/{repo}/statuses/{sha}', {
      owner: 'octocat',
      repo: 'Hello-World',
      sha: 'abc123',
      state: 'success',
      context: 'keel/pr-checks',
    });
    expect(status).toBe(201);
  });
});

describe('a token for repositories named', () => {
  it('sends the names next to the ids, and is minted once whatever their case', async () => {
    const scope = mockMint(
      { repository_ids: [REPOSITORY], repositories: ['.github'], permissions: { contents: 'read' } },
      { contents: 'read' },
    );
    const named = (name: string) =>
      keel.keel.tokens.octokitFor({
        installationId: INSTALLATION,
        repositoryIds: [REPOSITORY],
        repositoryNames: [name],
        permissions: { contents: 'read' },
      });
    const first = await named('.github');
    expect(scope.isDone()).toBe(true);
    expect(await named('.GitHub')).toBe(first);
  });

  it('is cached apart from the token for the same ids alone', async () => {
    mockMint({ repository_ids: [REPOSITORY], repositories: ['.github'], permissions: { contents: 'read' } });
    mockMint({ repository_ids: [REPOSITORY], permissions: { contents: 'read' } });
    const request = {
      installationId: INSTALLATION,
      repositoryIds: [REPOSITORY],
      permissions: { contents: 'read' } as const,
    };
    const named = await keel.keel.tokens.octokitFor({ ...request, repositoryNames: ['.github'] });
    expect(await keel.keel.tokens.octokitFor(request)).not.toBe(named);
  });
});

describe('the token cache', () => {
  it('mints once for the same request', async () => {
    mockMint({ repository_ids: [REPOSITORY], permissions: PR_CHECKS });
    const [first, second] = await Promise.all([prChecksToken(), prChecksToken()]);
    expect(await prChecksToken()).toBe(first);
    expect(second).toBe(first);
  });

  it('mints again for other repositories', async () => {
    mockMint({ repository_ids: [REPOSITORY], permissions: PR_CHECKS });
    mockMint({ repository_ids: [7], permissions: PR_CHECKS });
    const first = await prChecksToken();
    expect(await prChecksToken([7])).not.toBe(first);
  });

  it('mints again once the token is about to expire', async () => {
    mockMint({ repository_ids: [REPOSITORY], permissions: PR_CHECKS }, PR_CHECKS, 60_000);
    mockMint({ repository_ids: [REPOSITORY], permissions: PR_CHECKS });
    const first = await prChecksToken();
    expect(await prChecksToken()).not.toBe(first);
  });

  it('mints again after the installation is forgotten', async () => {
    mockMint({ repository_ids: [REPOSITORY], permissions: PR_CHECKS });
    mockMint({ repository_ids: [REPOSITORY], permissions: PR_CHECKS });
    const first = await prChecksToken();
    keel.keel.tokens.forget(INSTALLATION);
    expect(await prChecksToken()).not.toBe(first);
  });
});
