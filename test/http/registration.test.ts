import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { buildManifest, readManifest } from '../../src/http/app-manifest.js';
import { registrationRoutes } from '../../src/http/registration.js';
import { githubApi, useGitHubMock } from '../helpers/github-mock.js';
import { startKeel } from '../helpers/keel.js';

const CONVERSION = {
  id: 987,
  slug: 'keel-acme',
  html_url: 'https://github.com/apps/keel-acme',
  pem: '-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n',
  webhook_secret: 'whsec',
  client_id: 'Iv1.abc',
  client_secret: 'client-secret',
};

type Routes = ReturnType<typeof registrationRoutes>;

function setUp(env: Record<string, string> = { KEEL_PUBLIC_URL: 'https://keel.acme.com' }) {
  const envPath = join(mkdtempSync(join(tmpdir(), 'keel-env-')), '.env');
  writeFileSync(envPath, '# mine\nPORT=3000\n');
  const routes = registrationRoutes({ config: loadConfig(env), manifest: readManifest(), envPath });
  return { routes, envPath };
}

/** A visitor of the registration page: the state GitHub will carry back, and the cookie binding it to them. */
async function visit(routes: Routes, path = '/'): Promise<{ state: string; cookie: string; page: string }> {
  const response = await routes.request(path);
  const page = await response.text();
  const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  return { state: /state=([0-9a-f]+)/.exec(page)?.[1] ?? '', cookie, page };
}

function callback(routes: Routes, query: string, cookie?: string) {
  return routes.request(`/setup/callback?${query}`, cookie ? { headers: { cookie } } : {});
}

describe('app-manifest registration (no APP_ID yet)', () => {
  useGitHubMock();

  it('fills in this server’s webhook, redirect, sign-in and setup URLs', () => {
    const manifest = buildManifest(readManifest(), loadConfig({ KEEL_PUBLIC_URL: 'https://keel.acme.com' }));
    expect(manifest).toMatchObject({
      name: 'Keel',
      public: false,
      hook_attributes: { url: 'https://keel.acme.com/api/github/webhooks', active: true },
      redirect_url: 'https://keel.acme.com/setup/callback',
      callback_urls: ['https://keel.acme.com/console/auth/callback'],
      setup_url: 'https://keel.acme.com/setup',
      setup_on_update: true,
    });
  });

  it('offers a form that posts the manifest to GitHub, for an account or an organization', async () => {
    const { routes } = setUp();
    const { page } = await visit(routes, '/?org=acme');
    expect(page).toContain('action="https://github.com/organizations/acme/settings/apps/new?state=');
    expect(page).toContain('name="manifest"');
    expect(page).toContain('&quot;default_permissions&quot;');
  });

  it('registers the app under the name the admin chose', async () => {
    const { routes } = setUp();
    const { page } = await visit(routes, '/?name=Keel%20for%20Acme');
    expect(page).toContain('&quot;name&quot;:&quot;Keel for Acme&quot;');
  });

  it('trades the code for credentials and writes them to .env, keeping what was there', async () => {
    const { routes, envPath } = setUp();
    const { state, cookie } = await visit(routes);
    githubApi().post('/app-manifests/abc123/conversions').reply(201, CONVERSION);
    const response = await callback(routes, `code=abc123&state=${state}`, cookie);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('href="https://github.com/apps/keel-acme/installations/new"');
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

  it('leaves .env readable by its owner only, even when it existed world-readable, and says so', async () => {
    const { routes, envPath } = setUp();
    chmodSync(envPath, 0o644);
    const { state, cookie, page } = await visit(routes);
    expect(page).toContain('mode 0600');
    githubApi().post('/app-manifests/abc123/conversions').reply(201, CONVERSION);
    await callback(routes, `code=abc123&state=${state}`, cookie);
    expect(statSync(envPath).mode & 0o777).toBe(0o600);
  });

  it('refuses a state shown to one visitor when another browser brings it back', async () => {
    const { routes, envPath } = setUp();
    const { state } = await visit(routes);
    const intruder = await visit(routes);
    const response = await callback(routes, `code=abc123&state=${state}`, intruder.cookie);
    expect(response.status).toBe(400);
    expect(readFileSync(envPath, 'utf8')).not.toContain('APP_ID');
  });

  it('refuses a callback it did not start', async () => {
    const { routes } = setUp();
    const response = await callback(routes, 'code=abc123&state=forged');
    expect(response.status).toBe(400);
  });

  it('uses a state once: the same callback again converts nothing', async () => {
    const { routes, envPath } = setUp();
    const { state, cookie } = await visit(routes);
    githubApi().post('/app-manifests/abc123/conversions').reply(404, { message: 'Not Found' });
    expect((await callback(routes, `code=abc123&state=${state}`, cookie)).status).toBe(502);
    expect((await callback(routes, `code=abc123&state=${state}`, cookie)).status).toBe(400);
    expect(readFileSync(envPath, 'utf8')).not.toContain('APP_ID');
  });

  it('refuses any conversion once registered, so a second app cannot overwrite APP_ID and WEBHOOK_SECRET', async () => {
    const { routes, envPath } = setUp();
    const admin = await visit(routes);
    const other = await visit(routes);
    githubApi().post('/app-manifests/first/conversions').reply(201, CONVERSION);
    await callback(routes, `code=first&state=${admin.state}`, admin.cookie);
    const second = await callback(routes, `code=second&state=${other.state}`, other.cookie);
    expect(second.status).toBe(409);
    expect(readFileSync(envPath, 'utf8')).toContain('APP_ID=987');
    expect((await routes.request('/')).status).toBe(409);
  });

  it('links only http(s) URLs from the conversion', async () => {
    const { routes } = setUp();
    const { state, cookie } = await visit(routes);
    githubApi()
      .post('/app-manifests/abc123/conversions')
      .reply(201, { ...CONVERSION, html_url: 'javascript:alert(document.cookie)' });
    const page = await (await callback(routes, `code=abc123&state=${state}`, cookie)).text();
    expect(page).not.toContain('javascript:');
    expect(page).not.toContain('<a href');
  });

  it('explains an expired code', async () => {
    const { routes } = setUp();
    const { state, cookie } = await visit(routes);
    githubApi().post('/app-manifests/old/conversions').reply(404, { message: 'Not Found' });
    const response = await callback(routes, `code=old&state=${state}`, cookie);
    expect(response.status).toBe(502);
    expect(await response.text()).toContain('GitHub did not finish the registration');
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
});

describe('registration without a public address', () => {
  useGitHubMock();

  it('shows the webhook URL and warns that GitHub cannot reach a loopback address', async () => {
    const { routes } = setUp({ PORT: '3000' });
    const { page } = await visit(routes);
    expect(page).toContain('GitHub will send webhooks to <code>http://localhost:3000/api/github/webhooks</code>');
    expect(page).toContain('GitHub cannot reach');
    expect(page).toContain('Create a smee.io channel');
  });

  it('does not warn when KEEL_PUBLIC_URL is public', async () => {
    const { routes } = setUp();
    const { page } = await visit(routes);
    expect(page).toContain('<code>https://keel.acme.com/api/github/webhooks</code>');
    expect(page).not.toContain('GitHub cannot reach');
  });

  it('creates a smee.io channel, writes WEBHOOK_PROXY_URL and registers the app with it', async () => {
    const { routes, envPath } = setUp({ PORT: '3000' });
    const { state, cookie } = await visit(routes);
    githubApi('https://smee.io').head('/new').reply(307, '', { location: 'https://smee.io/AbC123xyz' });
    const response = await routes.request('/setup/smee', {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: `state=${state}`,
    });
    expect(response.status).toBe(303);
    expect(readFileSync(envPath, 'utf8')).toContain('WEBHOOK_PROXY_URL=https://smee.io/AbC123xyz');
    const { page } = await visit(routes);
    expect(page).toContain('&quot;url&quot;:&quot;https://smee.io/AbC123xyz&quot;');
    expect(page).not.toContain('GitHub cannot reach');
  });

  it('refuses to create a channel for a form not sent from the visitor’s page', async () => {
    const { routes, envPath } = setUp({ PORT: '3000' });
    const { state } = await visit(routes);
    const response = await routes.request('/setup/smee', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `state=${state}`,
    });
    expect(response.status).toBe(400);
    expect(readFileSync(envPath, 'utf8')).not.toContain('WEBHOOK_PROXY_URL');
  });

  it('warns at start that statuses and comments would link to localhost', async () => {
    const keel = await startKeel();
    try {
      expect(keel.logs.some((line) => line.includes('KEEL_PUBLIC_URL is not set to a public address'))).toBe(true);
    } finally {
      await keel.stop();
    }
  });
});
