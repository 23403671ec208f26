/**
 * Links to detail pages carry an HMAC-SHA256 signature of what they show (kind and id), keyed by
 * `config.linkSigningKey`: a page is reachable only through the link Keel published (in a commit
 * status, a comment), and guessing ids gets nowhere. Pages answer any bad link with the same 404.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const KIND = /^[a-z][a-z0-9-]*$/;
/** base64url of 32 bytes, without padding. */
const SIGNATURE = /^[A-Za-z0-9_-]{43}$/;

function computeSignature(key: Buffer, kind: string, id: string): Buffer {
  if (!KIND.test(kind)) throw new Error(`Link kind must be lower-case letters, digits and dashes: ${kind}`);
  // The kind cannot contain a newline, so "kind\nid" is unambiguous.
  return createHmac('sha256', key).update(`${kind}\n${id}`).digest();
}

/** The signature alone, base64url. */
export function signLink(key: Buffer, kind: string, id: string): string {
  return computeSignature(key, kind, id).toString('base64url');
}

/** The signed path: `/<kind>/<id>?sig=<signature>` (prefix it with config.publicUrl). */
export function signPath(key: Buffer, kind: string, id: string): string {
  return `/${kind}/${encodeURIComponent(id)}?sig=${signLink(key, kind, id)}`;
}

/**
 * True only for the exact signature `signPath` gives; compared in constant time. The last of 43
 * base64url characters carries two bits the decoder ignores, so four spellings decode to the same
 * bytes: only the canonical one, the one Keel published, is accepted.
 */
export function verifySignedPath(key: Buffer, kind: string, id: string, signature: string | undefined): boolean {
  if (signature === undefined || !SIGNATURE.test(signature)) return false;
  const given = Buffer.from(signature, 'base64url');
  if (given.toString('base64url') !== signature) return false;
  const expected = computeSignature(key, kind, id);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
