/**
 * Stored payloads are the raw body, deflated. Webhook JSON compresses about tenfold, which makes
 * the durable insert on the receiver's hot path several times cheaper; zlib's async API runs the
 * compression on libuv's thread pool, off the event loop.
 */
import { promisify } from 'node:util';
import { deflateRaw, inflateRaw } from 'node:zlib';

const deflate = promisify(deflateRaw);
const inflate = promisify(inflateRaw);

export function encodePayload(body: Buffer): Promise<Buffer> {
  return deflate(body, { level: 1 });
}

export async function decodePayload(stored: Buffer | Uint8Array): Promise<unknown> {
  const body = await inflate(stored);
  return JSON.parse(body.toString('utf8')) as unknown;
}
