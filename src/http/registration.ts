/**
 * GitHub's app-manifest registration, for a Keel started without APP_ID: a page posts the
 * manifest built from app.yml to GitHub, GitHub sends the admin back with a code, and Keel trades
 * the code for the app's id, key and secrets and writes them to .env (mode 0600). Then Keel is
 * restarted.
 *
 * The `state` GitHub carries is bound to the visitor's browser (a cookie) and used once; once a
 * conversion succeeded no other is accepted, so nobody can register a second app over the first.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { Hono, type Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { html } from 'hono/html';
import { SmeeClient } from 'smee-client';
import { parse } from 'yaml';
import type { KeelConfig } from '../config.js';
import { classifyGitHubError } from '../github/errors.js';

export type Manifest = Record<string, unknown> & { hook_attributes?: Record<string, unknown> };

/** Keel's app.yml, found beside package.json wherever Keel is started from. */
const APP_YML = new URL('../../app.yml', import.meta.url);
const STATE_COOKIE = 'keel_registration';
const STATE_TTL_MS = 60 * 60 * 1000;
const MAX_PENDING = 100;

export function readManifest(path: string | URL = APP_YML): Manifest {
  return parse(readFileSync(path, 'utf8')) as Manifest;
}

type ManifestConfig = Pick<KeelConfig, 'publicUrl' | 'webhookProxyUrl' | 'webhookPath'>;

export function webhookUrlOf(config: ManifestConfig): string {
  return config.webhookProxyUrl ?? `${config.publicUrl}${config.webhookPath}`;
}

/** The manifest GitHub receives: app.yml with this server's addresses (and the admin's app name) filled in. */
export function buildManifest(manifest: Manifest, config: ManifestConfig, name?: string): Manifest {
  return {
    ...manifest,
    ...(name ? { name } : {}),
    hook_attributes: { ...manifest.hook_attributes, url: webhookUrlOf(config), active: true },
    redirect_url: `${config.publicUrl}/setup/callback`,
    callback_urls: [`${config.publicUrl}/console/auth/callback`],
    setup_url: `${config.publicUrl}/setup`,
    setup_on_update: true,
  };
}

/** Sets keys in a .env file, keeping every other line as it was; the file is left readable by its owner only. */
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
  // Tighten before writing the secrets: `mode` only applies when the file is created.
  if (existsSync(path)) chmodSync(path, 0o600);
  writeFileSync(path, `${updated.join('\n')}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
}

/** The URL when it is http(s), else undefined: a conversion's URLs are rendered as links. */
export function safeHttpUrl(value: unknown): string | undefined {
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

type SmeeFetch = NonNullable<NonNullable<Parameters<typeof SmeeClient.createChannel>[0]>['fetch']>;

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
  /** Creates a smee.io channel (Probot's setup does the same); returns its URL. */
  createSmeeChannel?: () => Promise<string>;
  now?: () => number;
}

export function registrationRoutes({
  config,
  manifest,
  envPath = '.env',
  fetch = globalThis.fetch,
  // The platform fetch (which nock sees in tests) rather than smee-client's own undici.
  createSmeeChannel = () => SmeeClient.createChannel({ fetch: globalThis.fetch as unknown as SmeeFetch }),
  now = Date.now,
}: RegistrationOptions) {
  const pending = new Map<string, number>();
  const secure = config.publicUrl.startsWith('https:');
  let webhookProxyUrl = config.webhookProxyUrl;
  let registeredAs: string | undefined;
  const routes = new Hono();

  const alreadyRegistered = () =>
    registeredAs !== undefined || (existsSync(envPath) && /^\s*APP_ID\s*=\s*\d+/m.test(readFileSync(envPath, 'utf8')));

  /** The visitor's state: the one their cookie holds while it is pending, else a new one. */
  function stateFor(c: Context): string {
    for (const [state, expiresAt] of pending) if (expiresAt <= now()) pending.delete(state);
    const cookie = getCookie(c, STATE_COOKIE);
    if (cookie && pending.has(cookie)) return cookie;
    const state = randomBytes(16).toString('hex');
    if (pending.size >= MAX_PENDING) pending.delete(pending.keys().next().value ?? '');
    pending.set(state, now() + STATE_TTL_MS);
    setCookie(c, STATE_COOKIE, state, {
      path: '/',
      httpOnly: true,
      sameSite: 'Lax',
      secure,
      maxAge: STATE_TTL_MS / 1000,
    });
    return state;
  }

  /** True once: the query's state is pending and is the one this browser's cookie holds. */
  function takeState(c: Context, presented: string | undefined): boolean {
    const cookie = getCookie(c, STATE_COOKIE);
    if (!presented || !cookie || presented.length !== cookie.length) return false;
    if (!timingSafeEqual(Buffer.from(presented), Buffer.from(cookie))) return false;
    const expiresAt = pending.get(presented);
    pending.delete(presented);
    return expiresAt !== undefined && expiresAt > now();
  }

  const page = async (
    c: Context,
    title: string,
    body: ReturnType<typeof html>,
    status: 200 | 400 | 409 | 502 = 200,
  ) => {
    const text = await html`<!doctype html>
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width,initial-scale=1" />
          <meta name="robots" content="noindex" />
          <title>${title}</title>
        </head>
        <body style="font-family:system-ui;max-width:42rem;margin:2rem auto;padding:0 1rem">
          ${body}
        </body>
      </html>`;
    return c.html(text, status);
  };

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
    const state = stateFor(c);
    const org = c.req.query('org')?.replace(/[^A-Za-z0-9-]/g, '');
    const name = readAppName(c.req.query('name'));
    const target = org
      ? `${config.githubWebUrl}/organizations/${org}/settings/apps/new?state=${state}`
      : `${config.githubWebUrl}/settings/apps/new?state=${state}`;
    const current = { ...config, webhookProxyUrl };
    const webhookUrl = webhookUrlOf(current);
    const fullManifest = JSON.stringify(buildManifest(manifest, current, name));
    const unreachable = isLoopback(webhookUrl);
    return page(
      c,
      'Register Keel',
      html`<h1>Register Keel with GitHub</h1>
        <p>
          Keel has no <code>APP_ID</code> yet. Register it as a GitHub App from <code>app.yml</code>; GitHub sends you
          back here and Keel writes its credentials to <code>.env</code>,
          <strong>readable only by the user running Keel (mode 0600)</strong>. Then restart Keel and install the app.
        </p>
        <p>GitHub will send webhooks to <code>${webhookUrl}</code>.</p>
        ${
          unreachable
            ? html`<p role="alert" style="border:1px solid #d4a72c;background:#fff8c5;padding:.5rem">
                  <strong>GitHub cannot reach ${webhookUrl}</strong>: it is this machine's loopback address, so no
                  delivery would arrive. Set <code>KEEL_PUBLIC_URL</code> to an address GitHub reaches and restart, or
                  relay deliveries through a smee.io channel (for trying Keel out).
                </p>
                <form method="post" action="/setup/smee">
                  <input type="hidden" name="state" value="${state}" />
                  <button type="submit">Create a smee.io channel</button>
                </form>`
            : ''
        }
        <form method="get" action="/">
          <p>
            <label>Organization (blank for your account) <input name="org" value="${org ?? ''}" /></label>
          </p>
          <p>
            <label
              >App name <input name="name" maxlength="34" value="${name ?? String(manifest.name ?? 'Keel')}"
            /></label>
            (names are global on GitHub: pick one nobody has taken)
          </p>
          <button>Use</button>
        </form>
        <form method="post" action="${target}">
          <input type="hidden" name="manifest" value="${fullManifest}" />
          <p><button type="submit">Register on ${org ? `the ${org} organization` : 'your account'}</button></p>
        </form>`,
    );
  });

  routes.post('/setup/smee', async (c) => {
    const body = await c.req.parseBody();
    const presented = typeof body['state'] === 'string' ? body['state'] : undefined;
    const cookie = getCookie(c, STATE_COOKIE);
    if (alreadyRegistered() || !presented || presented !== cookie || !pending.has(presented)) {
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
    if (!takeState(c, c.req.query('state'))) {
      return page(
        c,
        'Refused',
        html`<p>This registration was not started in this browser; start again at <a href="/">/</a>.</p>`,
        400,
      );
    }
    const response = await fetch(`${config.githubApiUrl}/app-manifests/${code}/conversions`, {
      method: 'POST',
      headers: { accept: 'application/vnd.github+json', 'user-agent': 'keel' },
    });
    if (!response.ok) {
      const error = classifyGitHubError({ status: response.status, message: await response.text() }, config.githubHost);
      return page(
        c,
        'Registration failed',
        html`<p>GitHub did not finish the registration: ${error.message} ${error.remedy}</p>`,
        502,
      );
    }
    const app = (await response.json()) as Conversion;
    updateEnvFile(envPath, {
      APP_ID: String(app.id),
      PRIVATE_KEY: `"${app.pem.trim().replaceAll('\n', '\\n')}"`,
      WEBHOOK_SECRET: app.webhook_secret ?? '',
      GITHUB_CLIENT_ID: app.client_id,
      GITHUB_CLIENT_SECRET: app.client_secret,
    });
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
