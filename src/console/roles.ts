/**
 * Who may see and do what in the console. Owners of an installation's organization (asked of
 * GitHub with the user's own token) hold `delete` (view, manage and delete); its other members
 * hold `view`; for an installation on a user account, that user holds `delete`. A delete-level
 * user may grant named members more. An integration a user may not see is absent from the map,
 * and routes answer it with 404. The map is cached per session for a few minutes.
 */
import type { KeelServices } from '../keel.js';
import type { Store } from '../store/database.js';
import { getAsUser } from './auth/github-user.js';
import { readSessionToken } from './auth/session-rows.js';
import type { ConsoleUser } from './auth/session.js';
import { mapWithLimit } from './map-with-limit.js';

export type Role = 'view' | 'manage' | 'delete';

export const ROLES: readonly Role[] = ['view', 'manage', 'delete'];

const CACHE_MS = 3 * 60 * 1000;
/** Membership questions in flight at once: a user in 500 orgs must not fire 500 requests together. */
export const MEMBERSHIP_CONCURRENCY = 8;

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Levels nest: delete includes manage, manage includes view. */
export function roleAllows(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

function higher(a: Role, b: Role): Role {
  return roleAllows(a, b) ? a : b;
}

export type RoleServices = Pick<KeelServices, 'config' | 'store'> & { now?: () => number };

interface AccountOfIntegration {
  integrationId: string;
  login: string;
  type: string;
  accountId: number;
}

/** Every GitHub installation Keel stores, with its account (an integration row or not: discovery adds none). */
async function listAccounts(store: Store): Promise<AccountOfIntegration[]> {
  const rows = await store.db
    .selectFrom('installations')
    .select(['id', 'account_login', 'account_type', 'account_id'])
    .execute();
  return rows.map((row) => ({
    integrationId: String(row.id),
    login: row.account_login,
    type: row.account_type,
    accountId: Number(row.account_id),
  }));
}

/** The role GitHub gives this user on an account: org admin → delete, member → view; else none. */
async function accountRole(
  services: RoleServices,
  token: string,
  user: ConsoleUser,
  account: AccountOfIntegration,
): Promise<Role | undefined> {
  if (account.type === 'User') return account.accountId === user.id ? 'delete' : undefined;
  if (account.type !== 'Organization') return undefined;
  const membership = await getAsUser<{ state?: string; role?: string }>(
    services.config,
    token,
    `/user/memberships/orgs/${encodeURIComponent(account.login)}`,
  ).catch((error: unknown) => {
    // 403: the organization hides its members from this app; treat as not a member.
    if (error && typeof error === 'object' && 'status' in error && error.status === 403) return null;
    throw error;
  });
  if (membership?.state !== 'active') return undefined;
  return membership.role === 'admin' ? 'delete' : 'view';
}

const caches = new WeakMap<Store, Map<string, { at: number; roles: Promise<Map<string, Role>> }>>();

/** The roles GitHub gives this user on every stored account (the part worth caching). */
async function readAccountRoles(services: RoleServices, user: ConsoleUser, now: number): Promise<Map<string, Role>> {
  const token = await readSessionToken(services.store, services.config.sessionKey, user.sessionId, now);
  const roles = new Map<string, Role>();
  if (!token) return roles;
  const accounts = await listAccounts(services.store);
  const keyOf = (account: AccountOfIntegration) => `${account.type}:${account.login.toLowerCase()}`;
  // One question per account, a few at a time.
  const unique = new Map(accounts.map((account) => [keyOf(account), account]));
  const answers = new Map(
    await mapWithLimit(
      [...unique],
      MEMBERSHIP_CONCURRENCY,
      async ([key, account]) => [key, await accountRole(services, token, user, account)] as const,
    ),
  );
  for (const account of accounts) {
    const role = answers.get(keyOf(account));
    if (role) roles.set(account.integrationId, role);
  }
  return roles;
}

/** GitHub's answers, cached per session; grants are read afresh, so a grant takes effect at once. */
export async function rolesFor(services: RoleServices, user: ConsoleUser): Promise<Map<string, Role>> {
  const now = (services.now ?? Date.now)();
  let cache = caches.get(services.store);
  if (!cache) caches.set(services.store, (cache = new Map()));
  for (const [sessionId, entry] of cache) if (now - entry.at >= CACHE_MS) cache.delete(sessionId);
  let cached = cache.get(user.sessionId);
  if (!cached) {
    cached = { at: now, roles: readAccountRoles(services, user, now) };
    cache.set(user.sessionId, cached);
    const sessions = cache;
    cached.roles.catch(() => sessions.delete(user.sessionId));
  }
  const roles = new Map(await cached.roles);
  const grants = await services.store.db
    .selectFrom('role_grants')
    .select(['integration_id', 'role'])
    .where('login', '=', user.login.toLowerCase())
    .execute();
  // A grant raises a member's role; it never opens an account the user does not belong to.
  for (const grant of grants) {
    const base = roles.get(grant.integration_id);
    if (base && isRole(grant.role)) roles.set(grant.integration_id, higher(base, grant.role));
  }
  return roles;
}

/** Drops cached roles (after a deletion or a new integration), so the next request asks GitHub again. */
export function forgetRoles(store: Store, sessionId?: string): void {
  if (sessionId === undefined) caches.delete(store);
  else caches.get(store)?.delete(sessionId);
}
