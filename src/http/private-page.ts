import type { Hono, MiddlewareHandler } from 'hono';
import { verifySignedPath } from './signed-links.js';

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

export interface SignedPage<T> {
  /** The link kind: the page answers `GET /<kind>/:id?sig=…`. */
  kind: string;
  /** config.linkSigningKey. */
  key: Buffer;
  read: (id: string) => Promise<T | undefined>;
  render: (item: T) => string | Promise<string>;
}

/**
 * Mounts a private page reachable only through the signed link Keel published: a bad signature
 * and an unknown id get the same 404 as an unknown route, so ids cannot be probed.
 */
export function mountSignedPage<T>(http: Hono, { kind, key, read, render }: SignedPage<T>): void {
  http.get(`/${kind}/:id`, privatePage(), async (c) => {
    const id = c.req.param('id');
    if (!verifySignedPath(key, kind, id, c.req.query('sig'))) return c.notFound();
    const item = await read(id);
    if (!item) return c.notFound();
    return c.html(render(item));
  });
}
