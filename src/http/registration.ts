/**
 * GitHub's app-manifest registration, for a Keel started without APP_ID: a page posts the
 * manifest built from app.yml to GitHub, GitHub sends the admin back with a code, and Keel trades
 * the code for the app's id, key and secrets and writes them to .env. Then Keel is restarted.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { Hono } from 'hono';
import { html } from 'hono/html';
import { parse } from 'yaml';
import type { KeelConfig } from '../config.js';
import { classifyGitHubError } from '../github/errors.js';

export type Manifest = Record<string, unknown> & { hook_attributes?: Record<string, unknown> };

/** Keel's app.yml, found beside package.json wherever Keel is started from. */
const APP_YML = new URL('../../app.yml', import.meta.url);

export function readManifest(path: string | URL = APP_YML): Manifest {
  return parse(readFileSync(path, 'utf8')) as Manifest;
}

/** The manifest GitHub receives: app.yml with this server's addresses filled in. */
export function buildManifest(
  manifest: Manifest,
  config: Pick<KeelConfig, 'publicUrl' | 'webhookProxyUrl' | 'webhookPath'>,
): Manifest {
  const webhookUrl = config.webhookProxyUrl ?? `${config.publicUrl}${config.webhookPath}`;
  return {
    ...manifest,
    hook_attributes: { ...manifest.hook_attributes, url: webhookUrl, active: true },
    redirect_url: `${config.publicUrl}/setup/callback`,
    callback_urls: [`${config.publicUrl}/console/auth/callback`],
  };
}

/** Sets keys in a .env file, keeping every other line as it was. */
export function updateEnvFile(path: string, values: Record<string, string>): void {
  const existing = existsSync(path) ? readFileSync(path, 'utf8').replace(/\n+$/, '') : '';
  const lines = existing === '' ? [] : existing.split('\n');
  const remaining = new Map(Object.entries(values));
  const updated = lines.map((line) => {
    const key = /^\s*([A-Z0-9_]+)\s*=/.exec(line)?.[1];
    if (!key || !remaining.has(key)) return line;
    const value = remaining.get(key) ?? '';
    remaining.delete(key);
    return `${key}=${value}`;
  });
  for (const [key, value] of remaining) updated.push(`${key}=${value}`);
  writeFileSync(path, `${updated.join('\n')}\n`, { mode: 0o600 });
}

interface Conversion {
  id: number;
  slug: string;
  html_url: string;
  pem: string;
  webhook_secret: string | null;
  client_id: string;
  client_secret: string;
}

export interface RegistrationOptions {
  config: KeelConfig;
  manifest: Manifest;
  envPath?: string;
  fetch?: typeof globalThis.fetch;
}

export function registrationRoutes({
  config,
  manifest,
  envPath = '.env',
  fetch = globalThis.fetch,
}: RegistrationOptions) {
  const state = randomBytes(16).toString('hex');
  const routes = new Hono();
  const fullManifest = JSON.stringify(buildManifest(manifest, config));

  // Health checks keep answering while unregistered: the process is up, but cannot do its job yet.
  routes.get('/healthz', (c) => c.json({ status: 'ok', registered: false }));
  routes.get('/readyz', (c) =>
    c.json(
      {
        status: 'not ready',
        checks: [{ name: 'credentials', ok: false, detail: 'APP_ID is not set: register the app first.' }],
      },
      503,
    ),
  );

  routes.get('/', (c) => {
    const org = c.req.query('org')?.replace(/[^A-Za-z0-9-]/g, '');
    const target = org
      ? `${config.githubWebUrl}/organizations/${org}/settings/apps/new?state=${state}`
      : `${config.githubWebUrl}/settings/apps/new?state=${state}`;
    return c.html(
      html`<!doctype html>
        <html lang="en">
          <head>
            <meta charset="utf-8" />
            <meta name="viewport" content="width=device-width,initial-scale=1" />
            <title>Register Keel</title>
          </head>
          <body style="font-family:system-ui;max-width:40rem;margin:2rem auto;padding:0 1rem">
            <h1>Register Keel with GitHub</h1>
            <p>
              Keel has no <code>APP_ID</code> yet. Register it as a GitHub App from <code>app.yml</code>; GitHub sends
              you back here and Keel writes <code>.env</code>. Then restart Keel and install the app.
            </p>
            <form method="get" action="/">
              <label>Organization (blank for your account) <input name="org" value="${org ?? ''}" /></label>
              <button>Use</button>
            </form>
            <form method="post" action="${target}">
              <input type="hidden" name="manifest" value="${fullManifest}" />
              <p><button type="submit">Register on ${org ? `the ${org} organization` : 'your account'}</button></p>
            </form>
          </body>
        </html>`,
    );
  });

  routes.get('/setup/callback', async (c) => {
    const code = c.req.query('code');
    if (!code || !/^[A-Za-z0-9_-]+$/.test(code))
      return c.text('The code from GitHub is missing; start again at /.', 400);
    if (c.req.query('state') !== state) return c.text('This registration was not started here; start again at /.', 400);
    const response = await fetch(`${config.githubApiUrl}/app-manifests/${code}/conversions`, {
      method: 'POST',
      headers: { accept: 'application/vnd.github+json', 'user-agent': 'keel' },
    });
    if (!response.ok) {
      const error = classifyGitHubError({ status: response.status, message: await response.text() }, config.githubHost);
      return c.text(`GitHub did not finish the registration: ${error.message} ${error.remedy}`, 502);
    }
    const app = (await response.json()) as Conversion;
    updateEnvFile(envPath, {
      APP_ID: String(app.id),
      PRIVATE_KEY: `"${app.pem.trim().replaceAll('\n', '\\n')}"`,
      WEBHOOK_SECRET: app.webhook_secret ?? '',
      GITHUB_CLIENT_ID: app.client_id,
      GITHUB_CLIENT_SECRET: app.client_secret,
    });
    return c.html(
      html`<!doctype html>
        <html lang="en">
          <head>
            <meta charset="utf-8" />
            <title>Keel registered</title>
          </head>
          <body style="font-family:system-ui;max-width:40rem;margin:2rem auto;padding:0 1rem">
            <h1>Keel is registered as ${app.slug}</h1>
            <p>
              Its credentials are in <code>.env</code>. Restart Keel, then
              <a href="${app.html_url}/installations/new">install it on your organization</a>.
            </p>
          </body>
        </html>`,
    );
  });
  return routes;
}
