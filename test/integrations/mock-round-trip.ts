/**
 * nock chains for "Verify by opening a pull request" in one repository: the verification's read
 * checks, then the round trip's writes. GitHub answers the pull request's creation only once
 * `release` settles, so a test can look at a run mid-way; `failAt: 'branch'` makes the repository
 * unreadable instead, so every write after it is skipped and the cleanup has nothing to undo.
 */
import type nock from 'nock';
import { githubApi } from '../helpers/github-mock.js';
import { mockVerification, type MockVerificationOptions } from '../connection/mock-verification.js';

export interface MockRoundTripOptions {
  installationId: number;
  login: string;
  /** Repository name without its owner. */
  repo: string;
  /** Called when Keel asks GitHub to open the pull request. */
  onPullRequest?: () => void;
  release?: Promise<void>;
  failAt?: 'branch';
  /** Where GitHub's API is mocked (default api.github.com). */
  scope?: nock.Scope;
  /** Replaces parts of the verification's answers (the grant, the repository listing). */
  verification?: Partial<MockVerificationOptions>;
}

export function mockRoundTrip(options: MockRoundTripOptions) {
  const { installationId, login, repo } = options;
  const base = `/repos/${login}/${repo}`;
  const branchRef = `${base}/git/refs/heads/keel/connection-check`;
  const scope = mockVerification(
    {
      installationId,
      account: { login, type: 'Organization', id: installationId * 10 },
      repositoriesReply: [
        200,
        {
          total_count: 1,
          repository_selection: 'selected',
          repositories: [{ id: installationId * 1000, name: repo, full_name: `${login}/${repo}`, private: true }],
        },
      ],
      ...options.verification,
    },
    options.scope ?? githubApi(),
  );
  if (options.failAt === 'branch') {
    return scope.get(base).reply(404, { message: 'Not Found' });
  }
  return scope
    .get(base)
    .reply(200, { default_branch: 'main' })
    .get(`${base}/git/ref/heads/main`)
    .reply(200, { object: { sha: 'head111' } })
    .delete(branchRef)
    .reply(422, { message: 'Reference does not exist' })
    .post(`${base}/git/refs`)
    .reply(201, { ref: 'refs/heads/keel/connection-check' })
    .put(`${base}/contents/.keel/connection-check.md`)
    .reply(201, { commit: { sha: 'commit222' } })
    .post(`${base}/pulls`)
    .reply(async () => {
      options.onPullRequest?.();
      await options.release;
      return [201, { number: 7 }];
    })
    .post(`${base}/statuses/commit222`)
    .reply(201, {})
    .post(`${base}/issues/7/comments`)
    .reply(201, {})
    .patch(`${base}/pulls/7`)
    .reply(200, {})
    .delete(branchRef)
    .reply(204);
}

export function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}
