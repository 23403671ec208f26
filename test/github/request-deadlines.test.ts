import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { classifyGitHubError, GitHubError } from '../../src/github/errors.js';
import { createKeelOctokit, type KeelOctokitFactory } from '../../src/github/octokit.js';
import { isPermanentFailure } from '../../src/inbox/failure.js';
import type { KeelPlugin } from '../../src/keel.js';
import { createLogger, createSecretScrubber } from '../../src/logging.js';
import { example } from '../../fixtures/index.js';
import { githubApi, useGitHubMock } from '../helpers/github-mock.js';
import { startKeel, type TestKeel } from '../helpers/keel.js';

useGitHubMock();

/** A loopback port nothing listens on: connections to it are refused at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function captureLog() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString('utf8'));
      callback();
    },
  });
  const log = await createLogger({ level: 'info', format: 'json', scrub: createSecretScrubber([]), destination });
  return { log, output: () => lines.join('') };
}

let factory: KeelOctokitFactory | undefined;
afterEach(async () => {
  await factory?.close();
  factory = undefined;
});

describe('a GitHub request that gets no answer', () => {
  it('fails after the request timeout as a transient timeout, which the inbox retries', async () => {
    githubApi().get('/repos/acme/app').delay(5_000).reply(200, { full_name: 'acme/app' });
    factory = createKeelOctokit({ throttle: false, requestTimeoutMs: 100 });
    const octokit = new factory.Octokit({ auth: { token: 'ghs_test' }, retry: { enabled: false } });
    const started = Date.now();
    const error = await octokit.request('GET /repos/{owner}/{repo}', { owner: 'acme', repo: 'app' }).catch((e) => e);
    const classified = classifyGitHubError(error);
    expect([classified.kind, classified.transient, isPermanentFailure(error), classified.message]).toEqual([
      'timeout',
      true,
      false,
      'Timed out reaching api.github.com (ETIMEDOUT).',
    ]);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('has a 30-second timeout unless told otherwise', async () => {
    const { DEFAULT_REQUEST_TIMEOUT_MS } = await import('../../src/github/octokit.js');
    expect(DEFAULT_REQUEST_TIMEOUT_MS).toBe(30_000);
  });
});

describe('with REDIS_URL pointing at a Redis that cannot be reached', () => {
  it('logs the Redis error without its password and fails GitHub requests as transient, sending nothing', async () => {
    const { log, output } = await captureLog();
    const port = await closedPort();
    factory = createKeelOctokit({ redisUrl: `redis://:hunter2-redis-pass@127.0.0.1:${port}`, limiterWaitMs: 200, log });
    const octokit = new factory.Octokit({ auth: { token: 'ghs_test' } });
    // No mock: had the request left, the GitHub mock would fail the test.
    const error = await octokit.request('GET /repos/{owner}/{repo}', { owner: 'acme', repo: 'app' }).catch((e) => e);
    expect(error).toBeInstanceOf(GitHubError);
    expect([(error as GitHubError).kind, (error as GitHubError).transient, isPermanentFailure(error)]).toEqual([
      'limiter-unavailable',
      true,
      false,
    ]);
    expect(output()).toContain(`Redis at 127.0.0.1:${port} (REDIS_URL) cannot be reached: connect ECONNREFUSED`);
    expect(output()).not.toContain('hunter2-redis-pass');
  });

  describe('in a running Keel', () => {
    let keel: TestKeel | undefined;
    afterEach(async () => keel?.stop());

    it('fails the delivery for a later retry instead of leaving it processing, and says why', async () => {
      const readsGitHub: KeelPlugin = ({ probot, tokens }) => {
        probot.on('pull_request.opened', async () => {
          await tokens.octokitFor({ installationId: 957387, permissions: { metadata: 'read' } });
        });
      };
      const port = await closedPort();
      keel = await startKeel({
        plugins: [readsGitHub],
        env: { REDIS_URL: `redis://:hunter2-redis-pass@127.0.0.1:${port}` },
        githubThrottle: true,
      });
      await keel.send('pull_request', example('pull_request.opened'), 'stalled-by-redis');
      await keel.keel.worker.idle();
      const [delivery] = (await (await keel.api('/api/deliveries?limit=1')).json()) as {
        status: string;
        error: string;
      }[];
      expect([delivery?.status, delivery?.error]).toEqual([
        'failed',
        expect.stringContaining(`Redis at 127.0.0.1:${port} (REDIS_URL), which paces GitHub requests`),
      ]);
      expect(keel.logs.some((line) => line.includes('cannot be reached: connect ECONNREFUSED'))).toBe(true);
      expect(keel.logs.join('\n')).not.toContain('hunter2-redis-pass');
    });
  });
});
