/**
 * The message a form post leaves for the page it redirects to: a short-lived cookie, read and
 * cleared by the next console page. It holds only text Keel wrote, shown escaped.
 */
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { KeelError } from '../../errors.js';
import type { Flash } from './view.js';

const FLASH_COOKIE = 'keel_flash';
const MAX_TEXT = 600;

function clip(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text;
}

export function setFlash(c: Context, flash: Flash): void {
  const value: Flash = {
    kind: flash.kind,
    message: clip(flash.message),
    ...(flash.remedy ? { remedy: clip(flash.remedy) } : {}),
  };
  setCookie(c, FLASH_COOKIE, Buffer.from(JSON.stringify(value)).toString('base64url'), {
    path: '/',
    httpOnly: true,
    sameSite: 'Lax',
    secure: new URL(c.req.url).protocol === 'https:',
    maxAge: 60,
  });
}

export function takeFlash(c: Context): Flash | null {
  const cookie = getCookie(c, FLASH_COOKIE);
  if (!cookie) return null;
  deleteCookie(c, FLASH_COOKIE, { path: '/' });
  try {
    const parsed = JSON.parse(Buffer.from(cookie, 'base64url').toString('utf8')) as Partial<Flash>;
    if ((parsed.kind !== 'success' && parsed.kind !== 'error') || typeof parsed.message !== 'string') return null;
    return {
      kind: parsed.kind,
      message: clip(parsed.message),
      ...(typeof parsed.remedy === 'string' ? { remedy: clip(parsed.remedy) } : {}),
    };
  } catch {
    return null;
  }
}

/** A failed action as the flash shows it: the error's message and remedy, never a stack. */
export function flashFromError(error: unknown): Flash {
  if (error instanceof KeelError) return { kind: 'error', message: error.message, remedy: error.remedy };
  return { kind: 'error', message: 'The action failed; see the server log.' };
}
