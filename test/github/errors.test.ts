import { createServer } from 'node:net';
import { ProbotOctokit } from 'probot';
import { describe, expect, it } from 'vitest';
import { classifyGitHubError, GitHubError } from '../../src/github/errors.js';
import { githubApi, useGitHubMock } from '../helpers/github-mock.js';

useGitHubMock();

const quiet = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

function octokit(baseUrl = 'https://api.github.com') {
  return new ProbotOctokit({
    auth: { token: 'ghs_test' },
    baseUrl,
    retry: { enabled: false },
    throttle: { enabled: false },
    log: quiet,
  });
}

/** What Octokit throws for a request, classified as the verifier does. */
async function classifyFailure(baseUrl?: string): Promise<GitHubError> {
  try {
    await octokit(baseUrl).request('GET /rate_limit');
  } catch (error) {
    return classifyGitHubError(error, new URL(baseUrl ?? 'https://api.github.com').host);
  }
  throw new Error('the request succeeded');
}

function replyWith(status: number, message: string, headers: Record<string, string> = {}) {
  githubApi().get('/rate_limit').reply(status, { message }, headers);
}

async function closedLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('classifyGitHubError on network failures', () => {
  it("sees through Octokit's RequestError (status 500) to the socket error it wraps", async () => {
    githubApi().get('/rate_limit').replyWithError({ code: 'ECONNREFUSED' });
    expect((await classifyFailure()).kind).toBe('connection-refused');
  });

  it('classifies a real refused connection the way fetch reports it (TypeError with a cause)', async () => {
    const port = await closedLoopbackPort();
    expect((await classifyFailure(`http://127.0.0.1:${port}`)).message).toBe(
      `Connection to 127.0.0.1:${port} failed (ECONNREFUSED).`,
    );
  });

  it('walks a fetch TypeError down to a certificate error', async () => {
    const cause = Object.assign(new Error('unable to verify the first certificate'), {
      code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    });
    githubApi().get('/rate_limit').replyWithError(new TypeError('fetch failed', { cause }));
    expect((await classifyFailure()).kind).toBe('tls');
  });

  it('names the GHES host in a TLS remedy', async () => {
    githubApi('https://ghe.example.com/api/v3').get('/rate_limit').replyWithError({ code: 'CERT_HAS_EXPIRED' });
    expect((await classifyFailure('https://ghe.example.com/api/v3')).remedy).toBe(
      'ghe.example.com must present a certificate from a public CA (or set NODE_EXTRA_CA_CERTS to your CA bundle) that matches its name.',
    );
  });

  it('names the host that does not resolve', async () => {
    githubApi().get('/rate_limit').replyWithError({ code: 'ENOTFOUND' });
    expect((await classifyFailure()).message).toBe('Cannot resolve api.github.com (ENOTFOUND).');
  });

  it('does not blame GHE_HOST when api.github.com does not resolve', () => {
    const error = classifyGitHubError({ status: 500, cause: { code: 'ENOTFOUND' } }, 'api.github.com');
    expect(error.remedy).toBe(
      "Check that this server's DNS resolves api.github.com and that it may reach the internet (firewall, proxy).",
    );
  });

  it('asks to check the spelling of GHE_HOST when a GHES host does not resolve', () => {
    const error = classifyGitHubError({ status: 500, cause: { code: 'ENOTFOUND' } }, 'ghe.example.com');
    expect(error.remedy).toBe(
      "Check that ghe.example.com is spelled right in GHE_HOST and that this server's DNS resolves it.",
    );
  });

  it('treats a connect timeout as a timeout', async () => {
    githubApi().get('/rate_limit').replyWithError({ code: 'UND_ERR_CONNECT_TIMEOUT' });
    expect((await classifyFailure()).kind).toBe('timeout');
  });

  it('treats an aborted request (AbortSignal.timeout) as a timeout', () => {
    const error = Object.assign(new Error('The operation was aborted due to timeout'), {
      status: 500,
      cause: new DOMException('The operation was aborted due to timeout', 'TimeoutError'),
    });
    expect(classifyGitHubError(error).kind).toBe('timeout');
  });

  it('treats a connection closed by the other side as a connection failure', async () => {
    githubApi()
      .get('/rate_limit')
      .replyWithError(
        Object.assign(new Error('other side closed'), {
          code: 'UND_ERR_SOCKET',
        }),
      );
    expect((await classifyFailure()).kind).toBe('connection-refused');
  });

  it('marks network kinds as unreachable and transient', async () => {
    githubApi().get('/rate_limit').replyWithError({ code: 'ETIMEDOUT' });
    const error = await classifyFailure();
    expect([error.unreachable, error.transient]).toEqual([true, true]);
  });
});

describe('classifyGitHubError on GitHub answers', () => {
  it('keeps a real 500 answer from GitHub a server error, not a network one', async () => {
    replyWith(500, 'Internal Server Error');
    expect((await classifyFailure()).kind).toBe('server');
  });

  it('reads 401 Bad credentials as bad credentials', async () => {
    replyWith(401, 'Bad credentials');
    expect((await classifyFailure()).kind).toBe('bad-credentials');
  });

  it("reads a 401 about the 'Expiration time' claim as clock skew", async () => {
    replyWith(401, "'Expiration time' claim ('exp') is too far in the future");
    expect((await classifyFailure()).kind).toBe('clock-skew');
  });

  it('reads 403 Resource not accessible by integration as a missing permission an owner must accept', async () => {
    replyWith(403, 'Resource not accessible by integration');
    const error = await classifyFailure();
    expect([error.kind, error.remedy]).toEqual([
      'permission-missing',
      expect.stringContaining('an organization owner must accept the new permissions'),
    ]);
  });

  it('reads a 403 about suspension as suspended', async () => {
    replyWith(403, 'This installation has been suspended');
    expect((await classifyFailure()).kind).toBe('suspended');
  });

  it('reads a 403 with no requests remaining as rate limited', async () => {
    replyWith(403, 'API rate limit exceeded for installation ID 42.', {
      'x-ratelimit-remaining': '0',
    });
    expect((await classifyFailure()).kind).toBe('rate-limited');
  });

  it('reads 404 as not found', async () => {
    replyWith(404, 'Not Found');
    expect((await classifyFailure()).kind).toBe('not-found');
  });

  it('returns a GitHubError unchanged', () => {
    const error = new GitHubError('gone', 'Gone', 'Nothing to do.', 410);
    expect(classifyGitHubError(error)).toBe(error);
  });
});
