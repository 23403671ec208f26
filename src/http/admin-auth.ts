/**
 * Bearer authentication for /api with KEEL_ADMIN_TOKEN, compared in constant time. Console
 * sessions come later through the same middleware (a session grants a role).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

export function adminAuth({ adminToken }: { adminToken: string | undefined }): MiddlewareHandler {
  const expected = adminToken ? digest(adminToken) : undefined;
  return async (c, next) => {
    if (!expected) {
      return c.json(
        {
          error: 'The API is off: KEEL_ADMIN_TOKEN is not set.',
          remedy: 'Set KEEL_ADMIN_TOKEN (openssl rand -hex 32) and restart Keel.',
        },
        401,
      );
    }
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (!match?.[1] || !timingSafeEqual(digest(match[1].trim()), expected)) {
      c.header('WWW-Authenticate', 'Bearer realm="keel"');
      return c.json(
        { error: 'Missing or wrong bearer token.', remedy: 'Send Authorization: Bearer $KEEL_ADMIN_TOKEN.' },
        401,
      );
    }
    await next();
  };
}
