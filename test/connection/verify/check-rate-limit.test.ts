import { ProbotOctokit } from 'probot';
import { describe, expect, it } from 'vitest';
import { checkRateLimit } from '../../../src/connection/verify/checks/check-rate-limit.js';
import { githubApi, useGitHubMock } from '../../helpers/github-mock.js';

useGitHubMock();

const quiet = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
const GHES = 'https://ghe.example.com/api/v3';

function run(baseUrl = 'https://api.github.com') {
  const installationOctokit = new ProbotOctokit({
    auth: { token: 'ghs_test' },
    baseUrl,
    retry: { enabled: false },
    throttle: { enabled: false },
    log: quiet,
  });
  return checkRateLimit({
    installationOctokit,
    apiHost: new URL(baseUrl).host,
  });
}

function core(remaining: number) {
  return {
    resources: {
      core: {
        limit: 5000,
        used: 5000 - remaining,
        remaining,
        reset: 1748782800,
      },
    },
  };
}

describe('checkRateLimit', () => {
  it('passes with the remaining requests and the reset time', async () => {
    githubApi().get('/rate_limit').reply(200, core(4990));
    expect(await run()).toEqual({
      name: 'rate-limit',
      status: 'pass',
      finding: '4990 of 5000 requests left this hour; resets at 2025-06-01T13:00:00.000Z.',
      remedy: '',
    });
  });

  it('warns under 10% of the limit', async () => {
    githubApi().get('/rate_limit').reply(200, core(499));
    expect(await run()).toMatchObject({
      status: 'warn',
      remedy: expect.stringContaining('Keel slows down until 2025-06-01T13:00:00.000Z'),
    });
  });

  it('passes on a GHES host with rate limiting turned off', async () => {
    githubApi(GHES).get('/rate_limit').reply(404, { message: 'Rate limiting is not enabled.' });
    expect(await run(GHES)).toMatchObject({
      status: 'pass',
      finding: 'Rate limiting is not enabled on ghe.example.com.',
    });
  });
});
