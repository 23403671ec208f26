import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { buildManifest, readManifest, registrationRoutes } from '../../src/http/registration.js';
import { githubApi, useGitHubMock } from '../helpers/github-mock.js';

describe('app-manifest registration (no APP_ID yet)', () => {
  useGitHubMock();
  const config = loadConfig({ KEEL_PUBLIC_URL: 'https://keel.acme.com' });

  function setUp() {
    const envPath = join(mkdtempSync(join(tmpdir(), 'keel-env-')), '.env');
    writeFileSync(envPath, '# mine\nPORT=3000\n');
    const routes = registrationRoutes({ config, manifest: readManifest(), envPath });
    return { routes, envPath };
  }

  async function stateFrom(routes: ReturnType<typeof registrationRoutes>): Promise<string> {
    const page = await (await routes.request('/')).text();
    return /state=([0-9a-f]+)/.exec(page)?.[1] ?? '';
  }

  it('fills in this server’s webhook, redirect and sign-in URLs', () => {
    const manifest = buildManifest(readManifest(), config);
    expect(manifest).toMatchObject({
      name: 'Keel',
      public: false,
      hook_attributes: { url: 'https://keel.acme.com/api/github/webhooks', active: true },
      redirect_url: 'https://keel.acme.com/setup/callback',
      callback_urls: ['https://keel.acme.com/console/auth/callback'],
    });
  });

  it('offers a form that posts the manifest to GitHub, for an account or an organization', async () => {
    const { routes } = setUp();
    const page = await (await routes.request('/?org=acme')).text();
    expect(page).toContain('action="https://github.com/organizations/acme/settings/apps/new?state=');
    expect(page).toContain('name="manifest"');
    expect(page).toContain('&quot;default_permissions&quot;');
  });

  it('trades the code for credentials and writes them to .env, keeping what was there', async () => {
    const { routes, envPath } = setUp();
    const state = await stateFrom(routes);
    githubApi().post('/app-manifests/abc123/conversions').reply(201, {
      id: 987,
      slug: 'keel-acme',
      html_url: 'https://github.com/apps/keel-acme',
      pem: '-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n',
      webhook_secret: 'whsec',
      client_id: 'Iv1.abc',
      client_secret: 'client-secret',
    });
    const response = await routes.request(`/setup/callback?code=abc123&state=${state}`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('https://github.com/apps/keel-acme/installations/new');
    expect(readFileSync(envPath, 'utf8')).toBe(
      [
        '# mine',
        'PORT=3000',
        'APP_ID=987',
        'PRIVATE_KEY="-----BEGIN RSA PRIVATE KEY-----\\nMIIB\\n-----END RSA PRIVATE KEY-----"',
        'WEBHOOK_SECRET=whsec',
        'GITHUB_CLIENT_ID=Iv1.abc',
        'GITHUB_CLIENT_SECRET=client-secret',
        '',
      ].join('\n'),
    );
  });

  it('answers /healthz while unregistered, and /readyz with 503 until the app is registered', async () => {
    const { routes } = setUp();
    const health = await routes.request('/healthz');
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', registered: false });
    const ready = await routes.request('/readyz');
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: 'not ready', checks: [{ name: 'credentials', ok: false }] });
  });

  it('refuses a callback it did not start', async () => {
    const { routes } = setUp();
    const response = await routes.request('/setup/callback?code=abc123&state=forged');
    expect(response.status).toBe(400);
  });

  it('explains an expired code', async () => {
    const { routes } = setUp();
    const state = await stateFrom(routes);
    githubApi().post('/app-manifests/old/conversions').reply(404, { message: 'Not Found' });
    const response = await routes.request(`/setup/callback?code=old&state=${state}`);
    expect(response.status).toBe(502);
    expect(await response.text()).toContain('GitHub did not finish the registration');
  });
});
