import { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { consoleAuth, type ConsoleEnv } from '../../../src/console/auth/session.js';
import { pkceChallenge } from '../../../src/console/auth/seal.js';
import { connectionPlugin } from '../../../src/connection/plugin.js';
import type { KeelPlugin } from '../../../src/keel.js';
import { example } from '../../../fixtures/index.js';
import { githubApi, useGitHubMock } from '../../helpers/github-mock.js';
import { startKeel, type TestKeel } from '../../helpers/keel.js';
import { cookiesOf, finishSignIn, SIGN_IN_ENV, signIn, startSignIn } from './sign-in.js';

useGitHubMock();

const OCTOCAT = { id: 1, login: 'octocat', name: 'The Octocat' };
let clock = Date.now();

/** A page behind requireUser that echoes who is signed in, and a form post. */
const guardedPage: KeelPlugin = (services, http) => {
  const auth = consoleAuth({ ...services, now: () => clock });
  http.route('/', auth.routes);
  const page = new Hono<ConsoleEnv>();
  page.use('/console/*', auth.requireUser);
  page.get('/console/whoami', (c) => c.json({ login: c.get('user').login, name: c.get('user').name }));
  page.post('/console/echo', (c) => c.json({ posted: true }));
  http.route('/', page);
};

let keel: TestKeel;
beforeEach(async () => {
  clock = Date.now();
  keel = await startKeel({
    env: SIGN_IN_ENV,
    plugins: [guardedPage, connectionPlugin({ background: false, githubRetries: 0 })],
  });
});
afterEach(() => keel.stop());

function get(path: string, cookie?: string) {
  return fetch(`${keel.url}${path}`, { redirect: 'manual', ...(cookie ? { headers: { cookie } } : {}) });
}

function post(path: string, cookie: string, body: string, headers: Record<string, string> = {}) {
  return fetch(`${keel.url}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body,
  });
}

describe('GET /login', () => {
  it('sends the browser to GitHub’s authorize page with the client id, a state, a PKCE S256 challenge and the callback', async () => {
    const { location, state } = await startSignIn(keel);
    expect(`${location.origin}${location.pathname}`).toBe('https://github.com/login/oauth/authorize');
    expect(Object.fromEntries(location.searchParams)).toEqual({
      client_id: 'Iv1.testclient',
      redirect_uri: 'http://localhost:0/console/auth/callback',
      state,
      code_challenge: expect.stringMatching(/^[\w-]{43}$/),
      code_challenge_method: 'S256',
    });
  });

  it('returns to a same-site path after sign-in, and to /console for any other', async () => {
    for (const [next, expected] of [
      ['/console/integrations/42', '/console/integrations/42'],
      ['https://evil.example/x', '/console'],
      ['//evil.example/x', '/console'],
      ['/\\evil.example', '/console'],
    ]) {
      const started = await startSignIn(keel, next);
      githubApi('https://github.com').post('/login/oauth/access_token').reply(200, { access_token: 'ghu_t' });
      githubApi().get('/user').reply(200, { id: 1, login: 'octocat' });
      const done = await finishSignIn(keel, `code=c&state=${started.state}`, started.cookie);
      expect(done.headers.get('location')).toBe(expected);
    }
  });
});

describe('GET /console/auth/callback', () => {
  it('trades the code and the PKCE verifier for a token, and starts an 8-hour HttpOnly SameSite=Lax session', async () => {
    const started = await startSignIn(keel);
    let verifier = '';
    githubApi('https://github.com')
      .post('/login/oauth/access_token', (body: Record<string, string>) => {
        verifier = body.code_verifier ?? '';
        return (
          body.client_id === 'Iv1.testclient' &&
          body.code === 'the-code' &&
          body.client_secret === SIGN_IN_ENV.GITHUB_CLIENT_SECRET
        );
      })
      .reply(200, { access_token: 'ghu_secret_user_token', token_type: 'bearer' });
    githubApi().get('/user').reply(200, { id: 1, login: 'octocat', name: 'The Octocat', avatar_url: null });
    const response = await finishSignIn(keel, `code=the-code&state=${started.state}`, started.cookie);
    expect(response.status).toBe(302);
    expect(pkceChallenge(verifier)).toBe(started.location.searchParams.get('code_challenge'));
    const line = response.headers.getSetCookie().find((cookie) => cookie.startsWith('keel_session='));
    expect(line).toMatch(/Max-Age=28800/);
    expect(line).toMatch(/HttpOnly/);
    expect(line).toMatch(/SameSite=Lax/);
    const cookie = `keel_session=${cookiesOf(response).get('keel_session')}`;
    expect(await (await get('/console/whoami', cookie)).json()).toEqual({ login: 'octocat', name: 'The Octocat' });
    const audit = await keel.keel.store.db.selectFrom('audit').select(['action', 'actor']).execute();
    expect(audit).toEqual([{ action: 'console.sign-in', actor: 'octocat' }]);
  });

  it('refuses a state that is not the one this browser started with, without asking GitHub', async () => {
    const started = await startSignIn(keel);
    const response = await finishSignIn(keel, 'code=the-code&state=forged', started.cookie);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('not started in this browser');
  });

  it('refuses a callback without the sign-in cookie that holds the PKCE verifier', async () => {
    const started = await startSignIn(keel);
    const response = await finishSignIn(keel, `code=the-code&state=${started.state}`);
    expect(response.status).toBe(400);
  });

  it('says why when GitHub refuses the code', async () => {
    const started = await startSignIn(keel);
    githubApi('https://github.com')
      .post('/login/oauth/access_token')
      .reply(200, { error: 'bad_verification_code', error_description: 'The code passed is incorrect or expired.' });
    const response = await finishSignIn(keel, `code=old&state=${started.state}`, started.cookie);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('The code passed is incorrect or expired.');
  });

  it('stores the session under a hash and the user’s token sealed, never in clear', async () => {
    const { cookie } = await signIn(keel, OCTOCAT, 'ghu_very_secret_token_123');
    const rows = await keel.keel.store.db.selectFrom('console_sessions').selectAll().execute();
    expect(rows).toHaveLength(1);
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain('ghu_very_secret_token_123');
    expect(stored).not.toContain(cookie.split('=')[1]);
    expect(keel.logs.join('\n')).not.toContain('ghu_very_secret_token_123');
  });
});

describe('requireUser', () => {
  it('sends a visitor without a session to sign in, keeping the page', async () => {
    const response = await get('/console/whoami?x=1');
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe(`/login?next=${encodeURIComponent('/console/whoami?x=1')}`);
  });

  it('refuses a post without a session with 403', async () => {
    expect((await post('/console/echo', 'keel_session=unknown', '_csrf=x')).status).toBe(403);
  });

  it('ends a session after 8 hours', async () => {
    const { cookie } = await signIn(keel, OCTOCAT);
    clock += 8 * 60 * 60 * 1000 + 1;
    expect((await get('/console/whoami', cookie)).status).toBe(302);
  });

  it('accepts a post carrying the session’s CSRF token as a form field or a header', async () => {
    const { cookie, csrf } = await signIn(keel, OCTOCAT);
    expect((await post('/console/echo', cookie, `_csrf=${csrf}`)).status).toBe(200);
    expect((await post('/console/echo', cookie, '', { 'x-csrf-token': csrf })).status).toBe(200);
  });

  it('refuses a post without the CSRF token, or with another session’s, with 403', async () => {
    const { cookie } = await signIn(keel, OCTOCAT);
    const other = await signIn(keel, { id: 2, login: 'hubot' });
    expect((await post('/console/echo', cookie, 'name=x')).status).toBe(403);
    expect((await post('/console/echo', cookie, `_csrf=${other.csrf}`)).status).toBe(403);
  });
});

describe('signing out', () => {
  it('POST /logout ends the session', async () => {
    const { cookie, csrf } = await signIn(keel, OCTOCAT);
    expect((await post('/logout', cookie, `_csrf=${csrf}`)).status).toBe(200);
    expect((await get('/console/whoami', cookie)).status).toBe(302);
  });

  it('POST /logout without the CSRF token is refused and the session stays', async () => {
    const { cookie } = await signIn(keel, OCTOCAT);
    expect((await post('/logout', cookie, '')).status).toBe(403);
    expect((await get('/console/whoami', cookie)).status).toBe(200);
  });

  it('a revoked authorization (github_app_authorization.revoked) ends every session of that user', async () => {
    const payload = example('github_app_authorization.revoked');
    const mine = await signIn(keel, { id: payload.sender.id, login: payload.sender.login });
    const other = await signIn(keel, { id: payload.sender.id + 1, login: 'hubot' });
    expect((await keel.send('github_app_authorization', payload)).status).toBe(202);
    await keel.keel.worker.idle();
    expect((await get('/console/whoami', mine.cookie)).status).toBe(302);
    expect((await get('/console/whoami', other.cookie)).status).toBe(200);
  });
});

describe('sign-in on GitHub Enterprise Server', () => {
  it('authorizes and trades the code on the GHES host, and reads the user from its /api/v3', async () => {
    const ghes = await startKeel({ env: { ...SIGN_IN_ENV, GHE_HOST: 'ghe.example.com' }, plugins: [guardedPage] });
    try {
      const started = await startSignIn(ghes);
      expect(`${started.location.origin}${started.location.pathname}`).toBe(
        'https://ghe.example.com/login/oauth/authorize',
      );
      githubApi('https://ghe.example.com').post('/login/oauth/access_token').reply(200, { access_token: 'ghu_ghes' });
      githubApi('https://ghe.example.com/api/v3').get('/user').reply(200, { id: 5, login: 'enterprise-admin' });
      const response = await finishSignIn(ghes, `code=c&state=${started.state}`, started.cookie);
      expect(response.status).toBe(302);
      expect(cookiesOf(response).get('keel_session')).toBeTruthy();
    } finally {
      await ghes.stop();
    }
  });
});
