/**
 * One GitHub mock for every test, in the spirit of Renovate's http-mock: network stays disabled,
 * and `githubMock.verify()` (called after each test by `useGitHubMock()`) fails with the requests
 * that had no mock and the mocks that were never called.
 */
import nock from 'nock';
import { afterEach, beforeEach } from 'vitest';

export const GITHUB_API = 'https://api.github.com';

const unmatched: string[] = [];

function recordUnmatched(request: { method?: string; path?: string; host?: string }): void {
  // Our own servers on loopback are real, not mocked.
  if (/^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(request.host ?? '')) return;
  unmatched.push(`${request.method ?? 'GET'} ${request.host ?? ''}${request.path ?? ''}`);
}

/** A nock scope for the GitHub REST API (or a GHES base such as https://ghe.example.com/api/v3). */
export function githubApi(base: string = GITHUB_API): nock.Scope {
  return nock(base);
}

export function verifyGitHubMock(): void {
  const missing = [...unmatched];
  const unused = nock.pendingMocks();
  unmatched.length = 0;
  nock.cleanAll();
  const problems: string[] = [];
  if (missing.length > 0) problems.push(`Missing HTTP mocks:\n  ${missing.join('\n  ')}`);
  if (unused.length > 0) problems.push(`Unused HTTP mocks:\n  ${unused.join('\n  ')}`);
  if (problems.length > 0) throw new Error(problems.join('\n'));
}

/** Registers the before/after hooks: call once at the top of a test file that talks to GitHub. */
export function useGitHubMock(): void {
  beforeEach(() => {
    unmatched.length = 0;
    nock.emitter.on('no match', recordUnmatched);
  });
  afterEach(() => {
    nock.emitter.off('no match', recordUnmatched);
    verifyGitHubMock();
  });
}
