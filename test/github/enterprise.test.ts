import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { githubApi, useGitHubMock } from '../helpers/github-mock.js';
import { startKeel, TEST_APP_ID, type TestKeel } from '../helpers/keel.js';

const GHES = 'https://github.acme.internal/api/v3';

describe('GitHub Enterprise Server (GHE_HOST)', () => {
  useGitHubMock();
  let keel: TestKeel;
  beforeEach(async () => {
    keel = await startKeel({ env: { GHE_HOST: 'github.acme.internal', GHE_PROTOCOL: 'https' } });
  });
  afterEach(() => keel.stop());

  it('sends app-level REST calls to the GHES host', async () => {
    githubApi(GHES).get('/app').reply(200, { id: TEST_APP_ID, slug: 'keel' });
    const app = await keel.keel.probot.auth();
    const { data } = await app.request('GET /app');
    expect(data).toMatchObject({ slug: 'keel' });
  });

  it('mints narrowed installation tokens on the GHES host, not api.github.com', async () => {
    githubApi(GHES)
      .post('/app/installations/7/access_tokens', { repository_ids: [11], permissions: { statuses: 'write' } })
      .reply(201, { token: 'ghs_enterprise', expires_at: '2099-01-01T00:00:00Z', permissions: { statuses: 'write' } });
    githubApi(GHES)
      .post('/repos/acme/app/statuses/abc', { state: 'success', context: 'keel/pr-checks' })
      .matchHeader('authorization', 'token ghs_enterprise')
      .reply(201, {});
    const octokit = await keel.keel.tokens.octokitFor({
      installationId: 7,
      repositoryIds: [11],
      permissions: { statuses: 'write' },
    });
    await octokit.rest.repos.createCommitStatus({
      owner: 'acme',
      repo: 'app',
      sha: 'abc',
      state: 'success',
      context: 'keel/pr-checks',
    });
  });

  it('sends GraphQL to /api/graphql on the GHES host', async () => {
    githubApi(GHES)
      .post('/app/installations/7/access_tokens')
      .reply(201, { token: 'ghs_enterprise', expires_at: '2099-01-01T00:00:00Z', permissions: { metadata: 'read' } });
    githubApi('https://github.acme.internal')
      .post('/api/graphql')
      .reply(200, { data: { viewer: { login: 'keel[bot]' } } });
    const octokit = await keel.keel.tokens.octokitFor({ installationId: 7, permissions: { metadata: 'read' } });
    const result = await octokit.graphql<{ viewer: { login: string } }>('query { viewer { login } }');
    expect(result.viewer.login).toBe('keel[bot]');
  });
});
