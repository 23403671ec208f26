/**
 * Console test fixtures: integrations stored as Keel stores them, and a signed-in browser-like
 * client (cookies kept, redirects not followed) that went through the real GitHub sign-in with
 * GitHub's side mocked by nock.
 */
import { githubApi } from '../../helpers/github-mock.js';
import type { TestKeel } from '../../helpers/keel.js';
import { requiredPermissions, subscribedEvents } from '../../../src/capabilities.js';
import { addRepositories, insertReport, upsertInstallation } from '../../../src/connection/installation-rows.js';
import type { CheckResult, VerificationReport } from '../../../src/connection/verify/types.js';
import { insertDelivery } from '../../../src/inbox/deliveries.js';
import { ensureGitHubIntegration } from '../../../src/integrations/store.js';
import { isRateLimited } from '../../../src/connection/verify/is-rate-limited.js';
import type { Store } from '../../../src/store/database.js';
import type { DeliveryStatus } from '../../../src/store/schema.js';

export const SEEDED_AT = Date.parse('2026-11-30T12:00:00Z');

export interface SeedOptions {
  id: number;
  login: string;
  type?: 'Organization' | 'User';
  accountId?: number;
  repositories?: string[];
  permissions?: Record<string, string>;
  state?: string;
  checks?: CheckResult[];
}

const PASSING: CheckResult[] = [
  { name: 'installation', status: 'pass', finding: 'Installed and active.', remedy: '' },
  { name: 'permissions', status: 'pass', finding: 'Every permission Keel needs is granted.', remedy: '' },
];

/** An installation with its integration row, repositories and one verification report. */
export async function seedIntegration(store: Store, options: SeedOptions): Promise<void> {
  const permissions = options.permissions ?? (requiredPermissions() as Record<string, string>);
  const state = options.state ?? 'connected';
  await upsertInstallation(
    store,
    {
      id: options.id,
      account: { login: options.login, type: options.type ?? 'Organization', id: options.accountId ?? options.id * 10 },
      selection: 'selected',
      permissions,
      events: subscribedEvents(),
      suspendedAt: null,
      suspendedBy: null,
    },
    { now: SEEDED_AT, installedBy: 'octocat' },
  );
  await ensureGitHubIntegration(store, {
    installationId: options.id,
    accountLogin: options.login,
    host: 'github.com',
    addedBy: 'octocat',
    now: SEEDED_AT,
  });
  const repositories = options.repositories ?? [`${options.login}/api`, `${options.login}/web`];
  await addRepositories(
    store,
    options.id,
    repositories.map((fullName, index) => ({ id: options.id * 1000 + index, fullName, private: index === 0 })),
  );
  const report: VerificationReport = {
    at: new Date(SEEDED_AT).toISOString(),
    installationId: options.id,
    state: state as VerificationReport['state'],
    checks: options.checks ?? PASSING,
  };
  await insertReport(store, { installationId: options.id, at: SEEDED_AT, state, json: JSON.stringify(report) });
  await store.db
    .updateTable('installations')
    // As a stored verification leaves it: the list's summary of the report beside the state.
    .set({
      state,
      repository_count: repositories.length,
      verified_at: SEEDED_AT,
      rate_limited: isRateLimited(report) ? 1 : 0,
    })
    .where('id', '=', options.id)
    .execute();
}

export async function seedDelivery(
  store: Store,
  delivery: {
    id: string;
    installationId: number;
    status: DeliveryStatus;
    event?: string;
    repository?: string;
    error?: string;
  },
): Promise<void> {
  const event = delivery.event ?? 'pull_request';
  await insertDelivery(store, {
    id: delivery.id,
    event,
    action: event === 'pull_request' ? 'opened' : null,
    installationId: delivery.installationId,
    repository: delivery.repository ?? null,
    payload: Buffer.from(JSON.stringify({ action: 'opened', installation: { id: delivery.installationId } })),
    status: 'queued',
    receivedAt: SEEDED_AT,
  });
  await store.db
    .updateTable('deliveries')
    .set({ status: delivery.status, error: delivery.error ?? null, attempts: delivery.status === 'queued' ? 0 : 5 })
    .where('id', '=', delivery.id)
    .execute();
}

export interface ConsoleClient {
  login: string;
  csrfToken(): Promise<string>;
  get(path: string): Promise<Response>;
  post(path: string, form?: Record<string, string>, options?: { csrf?: boolean }): Promise<Response>;
}

export interface SignInOptions {
  id: number;
  login: string;
  /** Org login → the user's membership role there (absent: not a member; 'unreachable': GitHub answers 502). */
  memberships?: Record<string, 'admin' | 'member' | 'unreachable'>;
  /** Orgs whose membership GitHub is asked about (every org with an integration). */
  orgs?: string[];
}

/** Signs in through GET /login and the callback, GitHub mocked; mocks the role lookups that follow. */
export async function signIn(keel: TestKeel, options: SignInOptions): Promise<ConsoleClient> {
  const cookies = new Map<string, string>();
  const web = keel.config.githubWebUrl;
  const api = keel.config.githubApiUrl;
  const token = `gho_${options.login}_token`;

  function keep(response: Response): Response {
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(';');
      const [name, ...value] = (pair ?? '').split('=');
      if (!name) continue;
      if (/max-age=0/i.test(header) || value.join('=') === '') cookies.delete(name.trim());
      else cookies.set(name.trim(), value.join('='));
    }
    return response;
  }
  function cookieHeader(): string {
    return [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
  async function get(path: string): Promise<Response> {
    return keep(await fetch(`${keel.url}${path}`, { redirect: 'manual', headers: { cookie: cookieHeader() } }));
  }

  const login = await get('/login');
  const state = new URL(login.headers.get('location') ?? '').searchParams.get('state') ?? '';
  githubApi(web).post('/login/oauth/access_token').reply(200, { access_token: token, token_type: 'bearer' });
  githubApi(api).get('/user').reply(200, { id: options.id, login: options.login, name: null, avatar_url: null });
  const callback = await get(`/console/auth/callback?code=code-1&state=${encodeURIComponent(state)}`);
  if (callback.status !== 302) throw new Error(`Sign-in failed: ${callback.status} ${await callback.text()}`);
  for (const org of options.orgs ?? []) {
    const role = options.memberships?.[org];
    const scope = githubApi(api).get(`/user/memberships/orgs/${org}`);
    if (role === 'unreachable') scope.reply(502, { message: 'Bad Gateway' });
    else if (role) scope.reply(200, { state: 'active', role });
    else scope.reply(404, { message: 'Not Found' });
  }

  // Warm the role cache, so the membership lookups above are used whatever the test does next.
  await (await get('/console')).text();

  async function csrfToken(): Promise<string> {
    const html = await (await get('/console')).text();
    return /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
  }

  return {
    login: options.login,
    csrfToken,
    get,
    async post(path, form = {}, { csrf = true } = {}) {
      const body = new URLSearchParams(form);
      if (csrf) body.set('_csrf', await csrfToken());
      return keep(
        await fetch(`${keel.url}${path}`, {
          method: 'POST',
          redirect: 'manual',
          headers: { cookie: cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
          body,
        }),
      );
    },
  };
}
