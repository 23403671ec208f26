/**
 * GitHub's app-manifest registration, for a Keel started without APP_ID: a page posts the
 * manifest built from app.yml to GitHub, GitHub sends the admin back with a code, and Keel trades
 * the code for the app's id, key and secrets and writes them to .env (mode 0600). Then Keel is
 * restarted.
 *
 * The `state` GitHub carries is bound to the visitor's browser (a cookie) and used once; once a
 * conversion succeeded no other is accepted, so nobody can register a second app over the first.
 */
import { existsSync, readFileSync } from 'node:fs';
import { Hono } from 'hono';
import { html } from 'hono/html';
import type { KeelConfig } from '../config.js';
import { buildManifest, webhookUrlOf, type Manifest } from './app-manifest.js';
import { convertManifestCode, saveAppCredentials } from './manifest-conversion.js';
import { renderRegisterForm, sendRegistrationPage as page } from './registration-pages.js';
import { createRegistrationStates } from './registration-states.js';
import { createSmeeChannel as createSmeeIoChannel } from './smee-channel.js';
import { updateEnvFile } from './update-env-file.js';

// main.ts reads app.yml through this module.
export { readManifest } from './app-manifest.js';

/** The URL when it is http(s), else undefined: a conversion's URLs are rendered as links. */
function safeHttpUrl(value: unknown): string | undefined {
  if (typeof value !== 'string' || !URL.canParse(value)) return undefined;
  const url = new URL(value);
  return url.protocol === 'https:' || url.protocol === 'http:' ? url.toString() : undefined;
}

function isLoopback(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '[::1]' || host.startsWith('127.');
}

/** An app name as the admin typed it, or undefined: GitHub allows 34 characters. */
function readAppName(value: string | undefined): string | undefined {
  const name = value?.trim();
  return name && name.length <= 34 && /^[\w .-]+$/.test(name) ? name : undefined;
}

export interface RegistrationOptions {
  config: KeelConfig;
  manifest: Manifest;
  envPath?: string;
  fetch?: typeof globalThis.fetch;
  /** Creates a smee.io channel (Probot's setup does the same); returns its URL. */
  createSmeeChannel?: () => Promise<string>;
  now?: () => number;
}

export function registrationRoutes({
  config,
  manifest,
  envPath = '.env',
  fetch = globalThis.fetch,
  createSmeeChannel = createSmeeIoChannel,
  now = Date.now,
}: RegistrationOptions) {
  const states = createRegistrationStates({ secure: config.publicUrl.startsWith('https:'), now });
  let webhookProxyUrl = config.webhookProxyUrl;
  let registeredAs: string | undefined;
  const routes = new Hono();

  const alreadyRegistered = () =>
    registeredAs !== undefined || (existsSync(envPath) && /^\s*APP_ID\s*=\s*\d+/m.test(readFileSync(envPath, 'utf8')));

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
    if (alreadyRegistered()) {
      return page(
        c,
        'Keel is registered',
        html`<h1>Keel is registered</h1>
          <p>Restart Keel to use the credentials in <code>.env</code>.</p>`,
        409,
      );
    }
    const state = states.stateFor(c);
    const org = c.req.query('org')?.replace(/[^A-Za-z0-9-]/g, '');
    const name = readAppName(c.req.query('name'));
    const current = { ...config, webhookProxyUrl };
    const webhookUrl = webhookUrlOf(current);
    return page(
      c,
      'Register Keel',
      renderRegisterForm({
        state,
        org,
        name: name ?? String(manifest.name ?? 'Keel'),
        target: org
          ? `${config.githubWebUrl}/organizations/${org}/settings/apps/new?state=${state}`
          : `${config.githubWebUrl}/settings/apps/new?state=${state}`,
        webhookUrl,
        unreachable: isLoopback(webhookUrl),
        manifest: JSON.stringify(buildManifest(manifest, current, name)),
      }),
    );
  });

  routes.post('/setup/smee', async (c) => {
    const body = await c.req.parseBody();
    const presented = typeof body['state'] === 'string' ? body['state'] : undefined;
    if (alreadyRegistered() || !states.isHeld(c, presented)) {
      return page(
        c,
        'Refused',
        html`<p>This form was not sent from this browser’s registration page; start again at <a href="/">/</a>.</p>`,
        400,
      );
    }
    let channel: string | undefined;
    try {
      channel = safeHttpUrl(await createSmeeChannel());
    } catch {
      channel = undefined;
    }
    if (!channel) {
      return page(
        c,
        'No channel',
        html`<p>smee.io did not create a channel. Try again, or set <code>KEEL_PUBLIC_URL</code>.</p>`,
        502,
      );
    }
    webhookProxyUrl = channel;
    updateEnvFile(envPath, { WEBHOOK_PROXY_URL: channel });
    return c.redirect('/', 303);
  });

  routes.get('/setup/callback', async (c) => {
    if (alreadyRegistered()) {
      return page(
        c,
        'Already registered',
        html`<p>Keel is already registered; restart it to use <code>.env</code>.</p>`,
        409,
      );
    }
    const code = c.req.query('code');
    if (!code || !/^[A-Za-z0-9_-]+$/.test(code)) {
      return page(
        c,
        'Missing code',
        html`<p>The code from GitHub is missing; start again at <a href="/">/</a>.</p>`,
        400,
      );
    }
    if (!states.take(c, c.req.query('state'))) {
      return page(
        c,
        'Refused',
        html`<p>This registration was not started in this browser; start again at <a href="/">/</a>.</p>`,
        400,
      );
    }
    const conversion = await convertManifestCode({ config, fetch, code });
    if ('error' in conversion) {
      const { error } = conversion;
      return page(
        c,
        'Registration failed',
        html`<p>GitHub did not finish the registration: ${error.message} ${error.remedy}</p>`,
        502,
      );
    }
    const { app } = conversion;
    saveAppCredentials(envPath, app);
    registeredAs = app.slug;
    const appUrl = safeHttpUrl(app.html_url);
    return page(
      c,
      'Keel registered',
      html`<h1>Keel is registered as ${app.slug}</h1>
        <p>
          Its credentials are in <code>.env</code>, <strong>readable only by the user running Keel (mode 0600)</strong>.
          Restart Keel, then
          ${
            appUrl
              ? html`<a href="${`${appUrl.replace(/\/$/, '')}/installations/new`}">install it on your organization</a>.`
              : html`install it from the app’s page on GitHub.`
          }
        </p>`,
    );
  });
  return routes;
}
