/**
 * Console sign-in with the GitHub App's own OAuth client: `state` bound to the browser, PKCE
 * (S256), and server-side sessions (8 hours, HttpOnly SameSite=Lax cookie, Secure over HTTPS) so
 * sign-out and a revoked authorization end them. `requireUser` guards every console route and
 * refuses any non-GET request without the session's CSRF token.
 *
 * keel.ts mounts `routes`; console pages mount their own routes behind `requireUser`.
 */
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { html } from 'hono/html';
import { recordAudit } from '../../connection/installation-rows.js';
import { KeelError } from '../../errors.js';
import type { KeelServices } from '../../keel.js';
import { exchangeCode, fetchUser } from './github-user.js';
import { csrfTokenFor, equalSecrets, pkceChallenge, randomToken, seal, unseal } from './seal.js';
import { createSession, deleteExpiredSessions, deleteSession, findSession } from './session-rows.js';

export interface ConsoleUser {
  id: number;
  login: string;
  name: string | null;
  avatarUrl: string | null;
  sessionId: string;
  csrfToken: string;
}

export type ConsoleEnv = { Variables: { user: ConsoleUser } };

export type ConsoleAuthDeps = Pick<KeelServices, 'config' | 'store' | 'log'> & { now?: () => number };

export const SESSION_COOKIE = 'keel_session';
const SIGN_IN_COOKIE = 'keel_sign_in';
const SIGN_IN_PURPOSE = 'console-sign-in';
export const SESSION_TTL_MS = 8 * 60 * 60 * 1000;
const SIGN_IN_TTL_MS = 10 * 60 * 1000;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

interface PendingSignIn {
  state: string;
  verifier: string;
  next: string;
  expiresAt: number;
}

/** A same-site path to return to after sign-in; anything else (other hosts, `//x`, `/\x`) gives /console. */
export function safeNextPath(next: string | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\') || /[\r\n\t]/.test(next)) {
    return '/console';
  }
  return next;
}

function errorPage(
  c: Context,
  status: 400 | 403 | 502 | 503,
  title: string,
  error: { message: string; remedy: string },
) {
  return c.html(
    html`<!doctype html>
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="robots" content="noindex" />
          <title>${title}</title>
        </head>
        <body style="font-family:system-ui;max-width:40rem;margin:2rem auto;padding:0 1rem">
          <h1>${title}</h1>
          <p>${error.message}</p>
          <p>${error.remedy}</p>
          <p><a href="/login">Sign in</a></p>
        </body>
      </html>`,
    status,
  );
}

/** The signed-in user of a request's session cookie, or undefined (none, unknown, expired). */
export async function readConsoleUser(deps: ConsoleAuthDeps, c: Context): Promise<ConsoleUser | undefined> {
  const cookie = getCookie(c, SESSION_COOKIE);
  if (!cookie) return undefined;
  const row = await findSession(deps.store, cookie, (deps.now ?? Date.now)());
  if (!row) return undefined;
  return {
    id: Number(row.user_id),
    login: row.login,
    name: row.name,
    avatarUrl: row.avatar_url,
    sessionId: row.id,
    csrfToken: csrfTokenFor(deps.config.sessionKey, row.id),
  };
}

/** Whether a non-GET request carries the session's CSRF token (header `x-csrf-token`, or form field `_csrf`). */
export async function hasCsrfToken(c: Context, user: ConsoleUser): Promise<boolean> {
  let presented = c.req.header('x-csrf-token');
  const type = c.req.header('content-type') ?? '';
  if (!presented && (type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data'))) {
    const field = (await c.req.parseBody())['_csrf'];
    if (typeof field === 'string') presented = field;
  }
  return presented !== undefined && equalSecrets(presented, user.csrfToken);
}

export function consoleAuth(deps: ConsoleAuthDeps): { routes: Hono; requireUser: MiddlewareHandler<ConsoleEnv> } {
  const { config, store, log } = deps;
  const now = deps.now ?? Date.now;
  const secure = config.publicUrl.startsWith('https:');
  const redirectUri = `${config.publicUrl}/console/auth/callback`;
  const routes = new Hono<ConsoleEnv>();

  const currentUser = (c: Context) => readConsoleUser(deps, c);

  const requireUser: MiddlewareHandler<ConsoleEnv> = async (c, next) => {
    const user = await currentUser(c);
    const safe = SAFE_METHODS.has(c.req.method);
    if (!user) {
      if (safe) {
        const url = new URL(c.req.url);
        return c.redirect(`/login?next=${encodeURIComponent(`${url.pathname}${url.search}`)}`, 302);
      }
      return c.text('Sign in first: your session has ended.', 403);
    }
    if (!safe) {
      if (!(await hasCsrfToken(c, user))) {
        return c.text(
          'This form is stale or was not sent by the console (CSRF token missing or wrong); reload the page and try again.',
          403,
        );
      }
    }
    c.set('user', user);
    await next();
  };

  routes.get('/login', (c) => {
    if (!config.githubClientId || !config.githubClientSecret) {
      return errorPage(c, 503, 'Sign-in is not set up', {
        message: 'GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET are not set.',
        remedy:
          'Copy the Client ID and a generated client secret from the GitHub App settings into .env, then restart Keel.',
      });
    }
    const pending: PendingSignIn = {
      state: randomToken(),
      verifier: randomToken(48),
      next: safeNextPath(c.req.query('next')),
      expiresAt: now() + SIGN_IN_TTL_MS,
    };
    setCookie(c, SIGN_IN_COOKIE, seal(config.sessionKey, SIGN_IN_PURPOSE, JSON.stringify(pending)), {
      path: '/console/auth',
      httpOnly: true,
      sameSite: 'Lax',
      secure,
      maxAge: SIGN_IN_TTL_MS / 1000,
    });
    const authorize = new URL(`${config.githubWebUrl}/login/oauth/authorize`);
    authorize.search = new URLSearchParams({
      client_id: config.githubClientId,
      redirect_uri: redirectUri,
      state: pending.state,
      code_challenge: pkceChallenge(pending.verifier),
      code_challenge_method: 'S256',
    }).toString();
    return c.redirect(authorize.toString(), 302);
  });

  routes.get('/console/auth/callback', async (c) => {
    const sealed = getCookie(c, SIGN_IN_COOKIE);
    deleteCookie(c, SIGN_IN_COOKIE, { path: '/console/auth', secure });
    const opened = sealed ? unseal(config.sessionKey, SIGN_IN_PURPOSE, sealed) : undefined;
    const pending = opened ? (JSON.parse(opened) as PendingSignIn) : undefined;
    const state = c.req.query('state') ?? '';
    if (!pending || pending.expiresAt <= now() || !pending.verifier || !equalSecrets(state, pending.state)) {
      return errorPage(c, 400, 'Sign-in refused', {
        message: 'This sign-in was not started in this browser, or it took longer than 10 minutes.',
        remedy: 'Start again from /login.',
      });
    }
    const code = c.req.query('code');
    if (!code || !config.githubClientId || !config.githubClientSecret) {
      return errorPage(c, 400, 'Sign-in refused', {
        message: c.req.query('error_description') ?? 'GitHub sent no code back.',
        remedy: 'Start again from /login.',
      });
    }
    try {
      const token = await exchangeCode(config, {
        code,
        verifier: pending.verifier,
        redirectUri,
        clientId: config.githubClientId,
        clientSecret: config.githubClientSecret,
      });
      const user = await fetchUser(config, token);
      await deleteExpiredSessions(store, now());
      const cookie = await createSession(store, config.sessionKey, { user, token, now: now(), ttlMs: SESSION_TTL_MS });
      setCookie(c, SESSION_COOKIE, cookie, {
        path: '/',
        httpOnly: true,
        sameSite: 'Lax',
        secure,
        maxAge: SESSION_TTL_MS / 1000,
      });
      await recordAudit(store, { installationId: null, actor: user.login, action: 'console.sign-in', at: now() });
      log.info({ user: user.login }, `${user.login} signed in to the console`);
      return c.redirect(pending.next, 302);
    } catch (error) {
      if (!(error instanceof KeelError)) throw error;
      log.warn({ code: error.code }, `Console sign-in failed: ${error.message}`);
      return errorPage(c, error.code === 'SIGN_IN_FAILED' ? 400 : 502, 'Sign-in failed', error);
    }
  });

  routes.post('/logout', requireUser, async (c) => {
    const user = c.get('user');
    await deleteSession(store, user.sessionId);
    deleteCookie(c, SESSION_COOKIE, { path: '/', secure });
    await recordAudit(store, { installationId: null, actor: user.login, action: 'console.sign-out', at: now() });
    return c.html(
      html`<!doctype html>
        <html lang="en">
          <head>
            <meta charset="utf-8" />
            <title>Signed out</title>
          </head>
          <body style="font-family:system-ui;max-width:40rem;margin:2rem auto;padding:0 1rem">
            <h1>Signed out</h1>
            <p><a href="/login">Sign in again</a></p>
          </body>
        </html>`,
    );
  });

  return { routes: routes as unknown as Hono, requireUser };
}
