import { generateKeyPairSync } from 'node:crypto';
import { ProbotOctokit } from 'probot';
import { describe, expect, it } from 'vitest';
import { verifyInstallation } from '../../../src/connection/verify/verify-installation.js';
import { githubApi, useGitHubMock } from '../../helpers/github-mock.js';
import app from '../../../fixtures/connection/app.json' with { type: 'json' };
import hookConfig from '../../../fixtures/connection/hook-config.json' with { type: 'json' };
import hookDeliveries from '../../../fixtures/connection/hook-deliveries.json' with { type: 'json' };
import installation from '../../../fixtures/connection/installation.json' with { type: 'json' };

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
const GHES = 'https://ghe.example.com/api/v3';

function verify(baseUrl = 'https://api.github.com') {
  return verifyInstallation({
    appOctokit: new ProbotOctokit({
      auth: { appId: 1, privateKey },
      baseUrl,
      ...testing,
    }),
    installationId: 42,
    createInstallationOctokit: (token) => new ProbotOctokit({ auth: { token }, baseUrl, ...testing }),
    knownDeliveryIds: async (guids) => new Set(guids),
    now: () => new Date('2025-06-01T12:00:00Z'),
  });
}

async function firstCheck(baseUrl?: string) {
  const report = await verify(baseUrl);
  return { state: report.state, ...report.checks[0] };
}

function mockWebhook(scope = githubApi()) {
  return scope
    .get('/app/hook/config')
    .reply(200, hookConfig)
    .get('/app/hook/deliveries')
    .query({ per_page: 100 })
    .reply(200, hookDeliveries);
}

describe('verifyInstallation when credentials are wrong', () => {
  it('is unauthorized when GitHub answers 401 Bad credentials', async () => {
    githubApi().get('/app').reply(401, { message: 'A JSON web token could not be decoded' });
    expect(await firstCheck()).toMatchObject({
      state: 'unauthorized',
      name: 'app-credentials',
      status: 'fail',
      remedy: expect.stringContaining('Check APP_ID and PRIVATE_KEY'),
    });
  });

  it('skips every other check with the reason', async () => {
    githubApi().get('/app').reply(401, { message: 'Bad credentials' });
    const skipped = (await verify()).checks.slice(1);
    expect(new Set(skipped.map((check) => `${check.status}: ${check.finding}`))).toEqual(
      new Set(["skip: skipped: the app's credentials were rejected"]),
    );
  });

  it('names clock skew when GitHub says the JWT was issued at a wrong time', async () => {
    githubApi().get('/app').reply(401, {
      message: "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued.",
    });
    expect(await firstCheck()).toMatchObject({
      state: 'unauthorized',
      kind: 'clock-skew',
      remedy: expect.stringContaining("Synchronise this server's clock (NTP)"),
    });
  });

  it('names APP_ID when GitHub knows no such app (404)', async () => {
    githubApi().get('/app').reply(404, { message: 'Not Found' });
    expect(await firstCheck()).toMatchObject({
      state: 'unauthorized',
      finding: 'api.github.com knows no GitHub App for this APP_ID and private key (GET /app answered 404).',
    });
  });
});

describe('verifyInstallation when the installation changed', () => {
  it('is uninstalled when the installation is gone (404)', async () => {
    mockWebhook(
      githubApi().get('/app').reply(200, app).get('/app/installations/42').reply(404, { message: 'Not Found' }),
    );
    const report = await verify();
    expect([report.state, report.checks[1]?.remedy]).toEqual([
      'uninstalled',
      'An organization owner installs Keel again from https://github.com/apps/keel/installations/new (members can only request the app).',
    ]);
  });

  it('is suspended when the installation has suspended_at, and mints no token', async () => {
    const suspended = {
      ...installation,
      suspended_at: '2025-05-30T08:00:00Z',
      suspended_by: { login: 'octo-admin' },
    };
    mockWebhook(githubApi().get('/app').reply(200, app).get('/app/installations/42').reply(200, suspended));
    const report = await verify();
    expect([report.state, report.checks.map((check) => `${check.name}:${check.status}`)]).toEqual([
      'suspended',
      [
        'app-credentials:pass',
        'installation:fail',
        'permissions:pass',
        'token:skip',
        'repositories:skip',
        'rate-limit:skip',
        'org-config:skip',
        'webhook:pass',
      ],
    ]);
  });

  it('tells an owner where to unsuspend', async () => {
    const suspended = { ...installation, suspended_at: '2025-05-30T08:00:00Z' };
    mockWebhook(githubApi().get('/app').reply(200, app).get('/app/installations/42').reply(200, suspended));
    expect((await verify()).checks[1]?.remedy).toBe(
      'An owner of acme unsuspends Keel at https://github.com/organizations/acme/settings/installations/42.',
    );
  });

  it('reports a token refused as suspended as the suspended state', async () => {
    mockWebhook(
      githubApi()
        .get('/app')
        .reply(200, app)
        .get('/app/installations/42')
        .reply(200, installation)
        .post('/app/installations/42/access_tokens')
        .reply(403, { message: 'This installation has been suspended' }),
    );
    expect((await verify()).state).toBe('suspended');
  });

  it('names the missing permission when GitHub answers Resource not accessible by integration', async () => {
    mockWebhook(
      githubApi()
        .get('/app')
        .reply(200, app)
        .get('/app/installations/42')
        .reply(200, installation)
        .post('/app/installations/42/access_tokens')
        .reply(201, { token: 'ghs_x', expires_at: '2025-06-01T13:00:00Z' })
        .get('/installation/repositories')
        .query({ per_page: 100 })
        .reply(403, { message: 'Resource not accessible by integration' })
        .get('/rate_limit')
        .reply(200, {
          resources: {
            core: { limit: 5000, remaining: 5000, reset: 0, used: 0 },
          },
        }),
    );
    const repositoriesCheck = (await verify()).checks.find((check) => check.name === 'repositories');
    expect(repositoriesCheck).toMatchObject({
      status: 'fail',
      kind: 'permission-missing',
      remedy: expect.stringContaining('an organization owner must accept the new permissions'),
    });
  });
});

describe('verifyInstallation when GitHub cannot be reached', () => {
  it('is unreachable on ECONNREFUSED, naming the host', async () => {
    githubApi().get('/app').replyWithError({ code: 'ECONNREFUSED' });
    expect(await firstCheck()).toMatchObject({
      state: 'unreachable',
      finding: 'Connection to api.github.com failed (ECONNREFUSED).',
    });
  });

  it('is unreachable on an expired certificate, with the CA remedy', async () => {
    githubApi().get('/app').replyWithError({ code: 'CERT_HAS_EXPIRED' });
    expect(await firstCheck()).toMatchObject({
      state: 'unreachable',
      finding: 'TLS handshake with api.github.com failed (CERT_HAS_EXPIRED).',
      remedy: expect.stringContaining('NODE_EXTRA_CA_CERTS'),
    });
  });

  it('is unreachable on a timeout', async () => {
    githubApi().get('/app').replyWithError({ code: 'ETIMEDOUT' });
    expect(await firstCheck()).toMatchObject({
      state: 'unreachable',
      finding: 'Timed out reaching api.github.com (ETIMEDOUT).',
    });
  });

  it('skips the other checks because the host could not be reached', async () => {
    githubApi().get('/app').replyWithError({ code: 'ECONNREFUSED' });
    expect((await verify()).checks[1]?.finding).toBe('skipped: api.github.com could not be reached');
  });

  it('names a GHES host whose certificate cannot be verified', async () => {
    githubApi(GHES).get('/app').replyWithError({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    expect(await firstCheck(GHES)).toMatchObject({
      state: 'unreachable',
      finding: 'TLS handshake with ghe.example.com failed (UNABLE_TO_VERIFY_LEAF_SIGNATURE).',
    });
  });

  it('names a GHES host that does not resolve', async () => {
    githubApi(GHES).get('/app').replyWithError({ code: 'ENOTFOUND' });
    expect(await firstCheck(GHES)).toMatchObject({
      state: 'unreachable',
      finding: 'Cannot resolve ghe.example.com (ENOTFOUND).',
    });
  });
});
