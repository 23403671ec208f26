/** Signs a GitHub user in to a test Keel through the real OAuth flow, GitHub mocked with nock. */
import { expect } from 'vitest';
import { consoleAuth, type ConsoleUser } from '../../../src/console/auth/session.js';
import { csrfTokenFor, sha256Hex } from '../../../src/console/auth/seal.js';
import type { KeelPlugin } from '../../../src/keel.js';
import { githubApi } from '../../helpers/github-mock.js';
import type { TestKeel } from '../../helpers/keel.js';

export const SIGN_IN_ENV = {
  GITHUB_CLIENT_ID: 'Iv1.testclient',
  GITHUB_CLIENT_SECRET: 'test-client-secret-0123456789',
};

/** Mounts the sign-in routes (the console plugin does the same in production). */
export function signInRoutes(): KeelPlugin {
  return (services, http) => void http.route('/', consoleAuth(services).routes);
}

export interface TestUser {
  id: number;
  login: string;
  name?: string;
}

export interface SignedIn {
  /** `keel_session=…`, for a Cookie header. */
  cookie: string;
  csrf: string;
  /** The user as requireUser gives it to routes. */
  user: ConsoleUser;
}

export function cookiesOf(response: Response): Map<string, string> {
  return new Map(
    response.headers.getSetCookie().map((line) => {
      const [pair = ''] = line.split(';');
      const at = pair.indexOf('=');
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  );
}

export async function startSignIn(keel: TestKeel, next = '/console') {
  const response = await fetch(`${keel.url}/login?next=${encodeURIComponent(next)}`, { redirect: 'manual' });
  expect(response.status).toBe(302);
  const location = new URL(response.headers.get('location') ?? '');
  const signInCookie = cookiesOf(response).get('keel_sign_in') ?? '';
  return { location, state: location.searchParams.get('state') ?? '', cookie: `keel_sign_in=${signInCookie}` };
}

export function finishSignIn(keel: TestKeel, query: string, cookie?: string) {
  return fetch(`${keel.url}/console/auth/callback?${query}`, {
    redirect: 'manual',
    ...(cookie ? { headers: { cookie } } : {}),
  });
}

export async function signIn(keel: TestKeel, user: TestUser, token = `ghu_${user.login}_token`): Promise<SignedIn> {
  const started = await startSignIn(keel);
  githubApi('https://github.com')
    .post('/login/oauth/access_token')
    .reply(200, { access_token: token, token_type: 'bearer' });
  githubApi()
    .get('/user')
    .matchHeader('authorization', `Bearer ${token}`)
    .reply(200, { id: user.id, login: user.login, name: user.name ?? null, avatar_url: null });
  const response = await finishSignIn(keel, `code=code-${user.login}&state=${started.state}`, started.cookie);
  expect(response.status).toBe(302);
  const value = cookiesOf(response).get('keel_session') ?? '';
  const sessionId = sha256Hex(value);
  const csrf = csrfTokenFor(keel.config.sessionKey, sessionId);
  return {
    cookie: `keel_session=${value}`,
    csrf,
    user: { id: user.id, login: user.login, name: user.name ?? null, avatarUrl: null, sessionId, csrfToken: csrf },
  };
}
