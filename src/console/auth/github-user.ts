/**
 * GitHub as the signed-in user sees it: the OAuth code exchange (on the web host, github.com or
 * the GHES host) and REST reads with the user's token. Failures are classified once, like every
 * GitHub error in Keel; tokens never appear in messages.
 */
import type { KeelConfig } from '../../config.js';
import { KeelError } from '../../errors.js';
import { classifyGitHubError, GitHubError } from '../../github/errors.js';

type GitHubUrls = Pick<KeelConfig, 'githubApiUrl' | 'githubWebUrl' | 'githubHost'>;

const TIMEOUT_MS = 10_000;

export interface GitHubUser {
  id: number;
  login: string;
  name: string | null;
  avatarUrl: string | null;
}

/** GitHub refused the sign-in (a stale or reused code, a wrong verifier, a revoked client secret). */
export class SignInError extends KeelError {
  constructor(message: string, remedy = 'Sign in again from /login.') {
    super('SIGN_IN_FAILED', message, remedy);
  }
}

async function send(url: string, init: RequestInit, host: string): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (error) {
    throw classifyGitHubError(error, host);
  }
  const text = await response.text();
  if (!response.ok) {
    throw classifyGitHubError(
      {
        status: response.status,
        message: text.slice(0, 200),
        response: { headers: Object.fromEntries(response.headers) },
      },
      host,
    );
  }
  return text === '' ? null : (JSON.parse(text) as unknown);
}

export interface CodeExchange {
  code: string;
  verifier: string;
  redirectUri: string;
  clientId: string;
  clientSecret: string;
}

/** Trades the callback's code (and the PKCE verifier) for the user's token. */
export async function exchangeCode(urls: GitHubUrls, exchange: CodeExchange): Promise<string> {
  const body = (await send(
    `${urls.githubWebUrl}/login/oauth/access_token`,
    {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/json', 'user-agent': 'keel' },
      body: JSON.stringify({
        client_id: exchange.clientId,
        client_secret: exchange.clientSecret,
        code: exchange.code,
        redirect_uri: exchange.redirectUri,
        code_verifier: exchange.verifier,
      }),
    },
    urls.githubHost,
  )) as { access_token?: string; error?: string; error_description?: string } | null;
  if (!body?.access_token) {
    // GitHub answers 200 with an `error` field: bad_verification_code, incorrect_client_credentials…
    const reason = body?.error_description ?? body?.error ?? 'no token in the answer';
    throw new SignInError(
      `GitHub refused the sign-in: ${reason}.`,
      body?.error === 'incorrect_client_credentials'
        ? 'Set GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET to the GitHub App’s client id and a current client secret.'
        : 'Sign in again from /login.',
    );
  }
  return body.access_token;
}

/** GET on the REST API with the user's token; null on 404 (absent, or hidden from this user). */
export async function getAsUser<T>(urls: GitHubUrls, token: string, path: string): Promise<T | null> {
  try {
    return (await send(
      `${urls.githubApiUrl}${path}`,
      {
        headers: {
          accept: 'application/vnd.github+json',
          authorization: `Bearer ${token}`,
          'user-agent': 'keel',
          'x-github-api-version': '2022-11-28',
        },
      },
      urls.githubHost,
    )) as T;
  } catch (error) {
    if (error instanceof GitHubError && error.status === 404) return null;
    throw error;
  }
}

export async function fetchUser(urls: GitHubUrls, token: string): Promise<GitHubUser> {
  const user = await getAsUser<{ id: number; login: string; name?: string | null; avatar_url?: string | null }>(
    urls,
    token,
    '/user',
  );
  if (!user) throw new SignInError('GitHub did not return the signed-in user.');
  return { id: user.id, login: user.login, name: user.name ?? null, avatarUrl: user.avatar_url ?? null };
}
