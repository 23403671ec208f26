/** nock chains for one verification (6 requests plus the repository pages) of a running Keel. */
import type nock from 'nock';
import accessToken from '../../fixtures/connection/access-token.json' with { type: 'json' };
import app from '../../fixtures/connection/app.json' with { type: 'json' };
import hookConfig from '../../fixtures/connection/hook-config.json' with { type: 'json' };
import installation from '../../fixtures/connection/installation.json' with { type: 'json' };
import rateLimit from '../../fixtures/connection/rate-limit.json' with { type: 'json' };
import { githubApi } from '../helpers/github-mock.js';

export interface MockVerificationOptions {
  installationId: number;
  account?: { login: string; type: string; id: number };
  repositories?: number;
  permissions?: Record<string, string>;
  selection?: 'all' | 'selected';
  /** Replaces the repository listing's answer. */
  repositoriesReply?: [status: number, body: object];
  hookDeliveries?: object[];
  /** The core quota GitHub reports (default: 4990 of 5000 left). */
  coreQuota?: { remaining: number; limit: number };
  /** GitHub's answer for the organization's `.github` repository (not among the listed ones): 404 unless given. */
  orgGithubRepo?: [status: number, body: object];
  /** GitHub answers the verification's first request only once this settles. */
  hold?: Promise<void>;
}

export function installationBody(options: MockVerificationOptions) {
  return {
    ...installation,
    id: options.installationId,
    account: { ...installation.account, ...options.account },
    repository_selection: options.selection ?? 'selected',
    permissions: options.permissions ?? installation.permissions,
  };
}

export function repositoryList(count: number) {
  return Array.from({ length: count }, (_, index) => ({
    id: 1000 + index,
    name: `repo-${index + 1}`,
    full_name: `acme/repo-${index + 1}`,
    private: true,
  }));
}

function withCoreQuota({ remaining, limit }: { remaining: number; limit: number }) {
  const core = { ...rateLimit.resources.core, remaining, limit, used: limit - remaining };
  return { ...rateLimit, resources: { ...rateLimit.resources, core }, rate: core };
}

export function mockVerification(options: MockVerificationOptions, scope: nock.Scope = githubApi()): nock.Scope {
  const { installationId, repositories = 3, hold } = options;
  const body = installationBody(options);
  const first = scope.get('/app');
  const answered = hold
    ? first.reply(async () => {
        await hold;
        return [200, app];
      })
    : first.reply(200, app);
  return (
    answered
      .get(`/app/installations/${installationId}`)
      .reply(200, body)
      .post(`/app/installations/${installationId}/access_tokens`)
      .reply(201, accessToken)
      .get('/installation/repositories')
      .query({ per_page: 100 })
      .reply(
        ...(options.repositoriesReply ?? [
          200,
          { total_count: repositories, repository_selection: 'selected', repositories: repositoryList(repositories) },
        ]),
      )
      .get('/rate_limit')
      .reply(200, options.coreQuota ? withCoreQuota(options.coreQuota) : rateLimit)
      .get(`/repos/${body.account.login}/.github`)
      // Asked only of an organization whose repositories could be listed.
      .optionally(body.account.type !== 'Organization' || (options.repositoriesReply?.[0] ?? 200) !== 200)
      .reply(...(options.orgGithubRepo ?? [404, { message: 'Not Found' }]))
      .get('/app/hook/config')
      .reply(200, hookConfig)
      .get('/app/hook/deliveries')
      .query({ per_page: 100 })
      .reply(200, options.hookDeliveries ?? [])
  );
}
