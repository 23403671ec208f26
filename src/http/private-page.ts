import type { MiddlewareHandler } from 'hono';

/**
 * Headers for pages that may show private code paths: never cached or indexed, no referrer
 * leaks through their links, no scripts or outside assets.
 */
const PRIVATE_PAGE_HEADERS = {
  'Cache-Control': 'private, no-store',
  'X-Robots-Tag': 'noindex',
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'",
};

export function privatePage(): MiddlewareHandler {
  return async (c, next) => {
    for (const [name, value] of Object.entries(PRIVATE_PAGE_HEADERS)) c.header(name, value);
    await next();
  };
}
