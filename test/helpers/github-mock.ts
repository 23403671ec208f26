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

/** A commit status as Keel posts it to POST /repos/{owner}/{repo}/statuses/{sha}. */
export interface StatusBody {
  state: string;
  description: string;
  context: string;
  target_url?: string;
}

/** Answers `count` status writes on `sha` of the repository at `repoPath`, recording their bodies. */
export function recordStatusWrites(scope: nock.Scope, repoPath: string, sha: string, count: number): StatusBody[] {
  const written: StatusBody[] = [];
  scope
    .post(`${repoPath}/statuses/${sha}`, (body: StatusBody) => {
      written.push(body);
      return true;
    })
    .times(count)
    .reply(201, {});
  return written;
}
