import { generateKeyPairSync } from 'node:crypto';
import { ProbotOctokit } from 'probot';
import { describe, expect, it } from 'vitest';
import { checkAppCredentials } from '../../../src/connection/verify/checks/check-app-credentials.js';
import { resolveGitHubHost } from '../../../src/connection/verify/resolve-github-host.js';
import app from '../../../fixtures/connection/app.json' with { type: 'json' };
import { githubApi, useGitHubMock } from '../../helpers/github-mock.js';

useGitHubMock();

const { privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
});
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

function check(baseUrl = 'https://api.github.com') {
  const appOctokit = new ProbotOctokit({
    auth: { appId: 1, privateKey },
    baseUrl,
    retry: { enabled: false },
    throttle: { enabled: false },
    log: quiet,
  });
  return checkAppCredentials({ appOctokit, host: resolveGitHubHost(baseUrl) });
}

describe('the app-credentials check (GET /app), shared by keel verify and /readyz', () => {
  it('passes naming the host and the app GitHub knows, and reads what the registration requests', async () => {
    githubApi().get('/app').reply(200, app);
    const { check: result, app: registration } = await check();
    expect(result).toEqual({
      name: 'app-credentials',
      status: 'pass',
      finding: 'api.github.com accepts the credentials of app 1 (Keel)',
      remedy: '',
    });
    expect(registration).toMatchObject({ slug: 'keel', name: 'Keel', events: app.events });
  });

  it('names a GitHub Enterprise Server host', async () => {
    githubApi('https://ghe.example.com/api/v3').get('/app').reply(200, app);
    expect((await check('https://ghe.example.com/api/v3')).check.finding).toBe(
      'ghe.example.com accepts the credentials of app 1 (Keel)',
    );
  });

  it('passes when GitHub answers without the permissions and events the app requests, which then count as none', async () => {
    githubApi().get('/app').reply(200, { id: 1, slug: 'keel', name: 'Keel' });
    const { check: result, app: registration } = await check();
    expect([result.status, registration?.permissions, registration?.events]).toEqual(['pass', {}, []]);
  });

  it('names APP_ID and PRIVATE_KEY when GitHub knows no such app (404)', async () => {
    githubApi().get('/app').reply(404, { message: 'Integration not found' });
    expect((await check()).check).toEqual({
      name: 'app-credentials',
      status: 'fail',
      finding: 'api.github.com knows no GitHub App for this APP_ID and private key (GET /app answered 404).',
      remedy:
        "Set APP_ID to the numeric App ID shown on the app's settings page (not its client ID or an installation ID), and PRIVATE_KEY to a key generated for that app.",
      kind: 'not-found',
    });
  });
});
