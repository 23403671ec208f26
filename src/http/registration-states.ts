/**
 * The `state` GitHub carries through the app-manifest registration: bound to the visitor's browser
 * (a cookie), kept an hour, used once, and at most MAX_PENDING of them at a time.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';

const STATE_COOKIE = 'keel_registration';
const STATE_TTL_MS = 60 * 60 * 1000;
const MAX_PENDING = 100;

export interface RegistrationStates {
  /** The visitor's state: the one their cookie holds while it is pending, else a new one. */
  stateFor(c: Context): string;
  /** True while `presented` is pending and is the one this browser's cookie holds (a form of its page). */
  isHeld(c: Context, presented: string | undefined): boolean;
  /** True once: the query's state is pending and is the one this browser's cookie holds. */
  take(c: Context, presented: string | undefined): boolean;
}

export interface RegistrationStatesOptions {
  /** Sets the cookie's Secure flag (KEEL_PUBLIC_URL is https). */
  secure: boolean;
  now: () => number;
}

export function createRegistrationStates({ secure, now }: RegistrationStatesOptions): RegistrationStates {
  const pending = new Map<string, number>();
  return {
    stateFor(c) {
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
    },
    isHeld(c, presented) {
      return !!presented && presented === getCookie(c, STATE_COOKIE) && pending.has(presented);
    },
    take(c, presented) {
      const cookie = getCookie(c, STATE_COOKIE);
      if (!presented || !cookie || presented.length !== cookie.length) return false;
      if (!timingSafeEqual(Buffer.from(presented), Buffer.from(cookie))) return false;
      const expiresAt = pending.get(presented);
      pending.delete(presented);
      return expiresAt !== undefined && expiresAt > now();
    },
  };
}
