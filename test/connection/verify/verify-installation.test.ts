import { generateKeyPairSync } from 'node:crypto';
import type nock from 'nock';
import { ProbotOctokit } from 'probot';
import { describe, expect, it } from 'vitest';
import {
  verifyInstallation,
  type VerifyInstallationOptions,
} from '../../../src/connection/verify/verify-installation.js';
import { githubApi, useGitHubMock } from '../../helpers/github-mock.js';
import accessToken from '../../../fixtures/connection/access-token.json' with { type: 'json' };
import app from '../../../fixtures/connection/app.json' with { type: 'json' };
import hookConfig from '../../../fixtures/connection/hook-config.json' with { type: 'json' };
import hookDeliveries from '../../../fixtures/connection/hook-deliveries.json' with { type: 'json' };
import installation from '../../../fixtures/connection/installation.json' with { type: 'json' };
import rateLimit from '../../../fixtures/connection/rate-limit.json' with { type: 'json' };

useGitHubMock();

const { privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
});
const quiet = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
const testing = {
  retry: { enabled: false },
  throttle: { enabled: false },
  log: quiet,
};
const NOW = new Date('2025-06-01T12:00:00Z');

function verify(overrides: Partial<VerifyInstallationOptions> = {}) {
  return verifyInstallation({
    appOctokit: new ProbotOctokit({
      auth: { appId: 1, privateKey },
      ...testing,
    }),
    installationId: 42,
    createInstallationOctokit: (token) => new ProbotOctokit({ auth: { token }, ...testing }),
    knownDeliveryIds: async (guids) => new Set(guids),
    now: () => NOW,
    ...overrides,
  });
}

function repositories(count: number, from = 1) {
  return Array.from({ length: count }, (_, index) => ({
    id: from + index,
    name: `repo-${from + index}`,
    full_name: `acme/repo-${from + index}`,
    private: true,
  }));
}

function mockRepositories(scope: nock.Scope, count: number): nock.Scope {
  return scope
    .get('/installation/repositories')
    .query({ per_page: 100 })
    .reply(200, {
      total_count: count,
      repository_selection: 'selected',
      repositories: repositories(count),
    });
}

/** Reads only: metadata, and contents for the organization's .github/keel.yml (the installation grants contents). */
const READ_ONLY_TOKEN = { permissions: { metadata: 'read', contents: 'read' } };

function mockVerification(
  scope: nock.Scope,
  installationBody: object = installation,
  tokenRequest: nock.RequestBodyMatcher = READ_ONLY_TOKEN,
): nock.Scope {
  return scope
    .get('/app')
    .reply(200, app)
    .get('/app/installations/42')
    .reply(200, installationBody)
    .post('/app/installations/42/access_tokens', tokenRequest)
    .reply(201, accessToken)
    .get('/rate_limit')
    .reply(200, rateLimit)
    .get('/repos/acme/.github')
    .optionally((installationBody as typeof installation).account.type !== 'Organization')
    .reply(404, { message: 'Not Found' })
    .get('/app/hook/config')
    .reply(200, hookConfig)
    .get('/app/hook/deliveries')
    .query({ per_page: 100 })
    .reply(200, hookDeliveries);
}

describe('verifyInstallation', () => {
  it('reports a healthy installation as connected with every check passing', async () => {
    mockRepositories(mockVerification(githubApi()), 3);
    const report = await verify();
    expect([report.state, report.checks.map((check) => `${check.name}:${check.status}`)]).toEqual([
      'connected',
      [
        'app-credentials:pass',
        'installation:pass',
        'permissions:pass',
        'token:pass',
        'repositories:pass',
        'rate-limit:pass',
        'org-config:pass',
        'webhook:pass',
      ],
    ]);
  });

  it('stamps the report with the verification time', async () => {
    mockRepositories(mockVerification(githubApi()), 3);
    expect((await verify()).at).toBe('2025-06-01T12:00:00.000Z');
  });

  it('gives every passing check an empty remedy', async () => {
    mockRepositories(mockVerification(githubApi()), 3);
    const remedies = (await verify()).checks.map((check) => check.remedy);
    expect(new Set(remedies)).toEqual(new Set(['']));
  });

  it('makes 7 requests plus one repository page for an installation with 100 repositories', async () => {
    const requests: string[] = [];
    const scope = mockRepositories(mockVerification(githubApi()), 100);
    scope.on('request', (request: { method: string; path: string }) =>
      requests.push(`${request.method} ${request.path}`),
    );
    await verify();
    expect(requests.filter((request) => !request.includes('/installation/repositories'))).toHaveLength(7);
    expect(requests).toHaveLength(8);
  });

  it('follows repository pages and counts every repository', async () => {
    const next = '<https://api.github.com/installation/repositories?per_page=100&page=2>; rel="next"';
    mockVerification(githubApi())
      .get('/installation/repositories')
      .query({ per_page: 100 })
      .reply(200, { total_count: 130, repositories: repositories(100) }, { link: next })
      .get('/installation/repositories')
      .query({ per_page: 100, page: 2 })
      .reply(200, { total_count: 130, repositories: repositories(30, 101) });
    expect((await verify()).repositories).toEqual({
      selection: 'selected',
      count: 130,
    });
  });

  it('includes the permissions judgement in the report', async () => {
    mockRepositories(mockVerification(githubApi()), 3);
    const report = await verify();
    expect(Object.keys(report.permissions ?? {})).toEqual(['required', 'granted', 'missing', 'extra']);
  });

  it('reports the token expiry and never the token', async () => {
    mockRepositories(mockVerification(githubApi()), 3);
    const report = await verify();
    expect([report.tokenExpiresAt, JSON.stringify(report).includes(accessToken.token)]).toEqual([
      accessToken.expires_at,
      false,
    ]);
  });

  it('warns about zero repositories, telling an owner where to add them', async () => {
    mockRepositories(mockVerification(githubApi()), 0);
    const report = await verify();
    expect([report.state, report.checks.find((check) => check.name === 'repositories')]).toEqual([
      'degraded',
      expect.objectContaining({
        status: 'warn',
        finding: 'Installed with zero repositories: Keel can see no repository to work in.',
        remedy:
          'An owner adds repositories under Repository access at https://github.com/organizations/acme/settings/installations/42.',
      }),
    ]);
  });

  it('is degraded when a required permission is missing', async () => {
    const { workflows: _, ...permissions } = installation.permissions;
    mockRepositories(mockVerification(githubApi(), { ...installation, permissions }), 3);
    const report = await verify();
    expect([report.state, report.permissions?.missing]).toEqual([
      'degraded',
      [{ permission: 'workflows', level: 'write', capabilities: ['repair'] }],
    ]);
  });

  it('points a user account to its own installation settings for a pending update', async () => {
    const account = { ...installation.account, login: 'octocat', type: 'User' };
    const { workflows: _, ...permissions } = installation.permissions;
    mockRepositories(mockVerification(githubApi(), { ...installation, account, permissions }), 3);
    const permissionsCheck = (await verify()).checks.find((check) => check.name === 'permissions');
    expect(permissionsCheck?.remedy).toContain('https://github.com/settings/installations/42');
  });

  it('stores the pending update in the report, with the page where an owner accepts it (on GHES, its host)', async () => {
    const GHES = 'https://ghe.example.com/api/v3';
    const { workflows: _, discussions: __, ...permissions } = installation.permissions;
    mockRepositories(mockVerification(githubApi(GHES), { ...installation, permissions }), 3);
    const report = await verify({
      appOctokit: new ProbotOctokit({ auth: { appId: 1, privateKey }, baseUrl: GHES, ...testing }),
      createInstallationOctokit: (token) => new ProbotOctokit({ auth: { token }, baseUrl: GHES, ...testing }),
    });
    expect(report.pendingUpdate).toEqual({
      permissions: [
        { permission: 'discussions', level: 'write' },
        { permission: 'workflows', level: 'write' },
      ],
      events: [],
      acceptUrl: 'https://ghe.example.com/organizations/acme/settings/installations/42',
    });
  });

  it('skips the checks that need a token when none can be minted', async () => {
    githubApi()
      .get('/app')
      .reply(200, app)
      .get('/app/installations/42')
      .reply(200, installation)
      .post('/app/installations/42/access_tokens')
      .reply(502, { message: 'Server Error' })
      .get('/app/hook/config')
      .reply(200, hookConfig)
      .get('/app/hook/deliveries')
      .query({ per_page: 100 })
      .reply(200, hookDeliveries);
    const report = await verify();
    expect(
      report.checks.filter((check) => check.status !== 'pass').map((c) => `${c.name}:${c.status}:${c.finding}`),
    ).toEqual([
      'token:fail:GitHub answered 502: Server Error',
      'repositories:skip:skipped: no installation token',
      'rate-limit:skip:skipped: no installation token',
      'org-config:skip:skipped: no installation token',
    ]);
  });

  it('adds the write round trip plan as dry-run skips, leaving the state connected', async () => {
    mockRepositories(mockVerification(githubApi()), 3);
    const report = await verify({
      writeCheck: { repo: 'acme/repo-1', dryRun: true },
    });
    const writes = report.checks.filter((check) => check.name.startsWith('write:'));
    expect([report.state, writes.length, writes.every((check) => check.finding.startsWith('dry run: would '))]).toEqual(
      ['connected', 6, true],
    );
  });

  it('refuses a write round trip in a repository outside the installation before writing', async () => {
    // A real round trip asks for the writes it will make, and no more.
    const writeToken = {
      permissions: { metadata: 'read', contents: 'write', pull_requests: 'write', statuses: 'write', issues: 'write' },
    };
    mockRepositories(mockVerification(githubApi(), installation, writeToken), 3);
    const report = await verify({
      writeCheck: { repo: 'acme/elsewhere', dryRun: false },
    });
    expect(report.checks.find((check) => check.name === 'write:branch')).toMatchObject({
      status: 'fail',
      finding: 'acme/elsewhere is not among the repositories this installation can see.',
    });
  });

  it('asks the round trip token for workflows: write when the commit touches a workflow', async () => {
    const writeToken = {
      permissions: {
        metadata: 'read',
        contents: 'write',
        workflows: 'write',
        pull_requests: 'write',
        statuses: 'write',
        issues: 'write',
      },
    };
    mockRepositories(mockVerification(githubApi(), installation, writeToken), 3);
    const report = await verify({
      writeCheck: { repo: 'acme/elsewhere', dryRun: false, path: '.github/workflows/keel-connection-check.yml' },
    });
    expect(report.checks.find((check) => check.name === 'token')?.status).toBe('pass');
  });
});
