import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { githubApi, useGitHubMock } from '../helpers/github-mock.js';
import { startKeel, type TestKeel } from '../helpers/keel.js';

describe.skipIf(!process.env.TEST_REDIS_URL)('GitHub request throttling shared through Redis (REDIS_URL)', () => {
  useGitHubMock();
  let keel: TestKeel;
  let redis: Redis;

  beforeEach(async () => {
    redis = new Redis(process.env.TEST_REDIS_URL!);
    for (const key of await redis.keys('b_octokit-*-keel*')) await redis.del(key);
    keel = await startKeel({ env: { REDIS_URL: process.env.TEST_REDIS_URL! }, githubThrottle: true });
  });
  afterEach(async () => {
    await keel.stop();
    redis.disconnect();
  });

  it('keeps the limiter state of GitHub requests in Redis, where every Keel process shares it', async () => {
    githubApi()
      .post('/app/installations/3/access_tokens')
      .reply(201, { token: 'ghs_redis', expires_at: '2099-01-01T00:00:00Z', permissions: { metadata: 'read' } });
    githubApi().get('/repos/acme/app').reply(200, { full_name: 'acme/app' });
    const octokit = await keel.keel.tokens.octokitFor({ installationId: 3, permissions: { metadata: 'read' } });
    await octokit.request('GET /repos/{owner}/{repo}', { owner: 'acme', repo: 'app' });
    const keys = await redis.keys('b_octokit-*-keel*');
    expect(keys.some((key) => key.startsWith('b_octokit-global-keel'))).toBe(true);
  });
});
