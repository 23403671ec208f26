/** Console session rows: stored under the sha256 of the cookie, the user's token sealed. */
import type { Store } from '../../store/database.js';
import type { ConsoleSessionsTable } from '../../store/schema.js';
import type { GitHubUser } from './github-user.js';
import { randomToken, seal, sha256Hex, unseal } from './seal.js';

const TOKEN_PURPOSE = 'console-user-token';

export interface NewSession {
  user: GitHubUser;
  token: string;
  now: number;
  ttlMs: number;
}

/** Stores a session; returns the cookie's value (the only place the raw value exists). */
export async function createSession(store: Store, key: Buffer, session: NewSession): Promise<string> {
  const cookieValue = randomToken();
  await store.db
    .insertInto('console_sessions')
    .values({
      id: sha256Hex(cookieValue),
      user_id: session.user.id,
      login: session.user.login,
      name: session.user.name,
      avatar_url: session.user.avatarUrl,
      sealed_token: seal(key, TOKEN_PURPOSE, session.token),
      created_at: session.now,
      expires_at: session.now + session.ttlMs,
    })
    .execute();
  return cookieValue;
}

/** The live session a cookie names, or undefined (unknown, expired). */
export async function findSession(
  store: Store,
  cookieValue: string,
  now: number,
): Promise<ConsoleSessionsTable | undefined> {
  const row = await store.db
    .selectFrom('console_sessions')
    .selectAll()
    .where('id', '=', sha256Hex(cookieValue))
    .executeTakeFirst();
  return row && Number(row.expires_at) > now ? row : undefined;
}

/** The signed-in user's GitHub token, or undefined once the session is gone or the key changed. */
export async function readSessionToken(
  store: Store,
  key: Buffer,
  sessionId: string,
  now: number,
): Promise<string | undefined> {
  const row = await store.db
    .selectFrom('console_sessions')
    .select(['sealed_token', 'expires_at'])
    .where('id', '=', sessionId)
    .executeTakeFirst();
  if (!row || Number(row.expires_at) <= now) return undefined;
  return unseal(key, TOKEN_PURPOSE, row.sealed_token);
}

export async function deleteSession(store: Store, sessionId: string): Promise<void> {
  await store.db.deleteFrom('console_sessions').where('id', '=', sessionId).execute();
}

/** Ends every session of a GitHub user (sign-out everywhere, or the app's authorization revoked). */
export async function deleteUserSessions(store: Store, userId: number): Promise<number> {
  const result = await store.db.deleteFrom('console_sessions').where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function deleteExpiredSessions(store: Store, now: number): Promise<number> {
  const result = await store.db.deleteFrom('console_sessions').where('expires_at', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
