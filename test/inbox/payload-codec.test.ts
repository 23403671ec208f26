import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodePayload, encodePayload } from '../../src/inbox/payload-codec.js';
import { example } from '../../fixtures/index.js';

describe('stored payloads', () => {
  const payload = example('pull_request.opened');
  const body = Buffer.from(JSON.stringify(payload));

  it('are LZ4-compressed to a fraction of the body GitHub sent', () => {
    const stored = encodePayload(body);
    expect([stored.codec, stored.payload.length < body.length / 4]).toEqual(['lz4', true]);
  });

  it('read back as the payload GitHub sent', () => {
    expect(decodePayload(encodePayload(body))).toEqual(payload);
  });

  it('stored deflated before LZ4 (migration 006) still read back', () => {
    expect(decodePayload({ codec: 'deflate-raw', payload: deflateRawSync(body) })).toEqual(payload);
  });

  it('read back from a plain Uint8Array, as a database driver may hand them', () => {
    const { payload: bytes } = encodePayload(body);
    expect(decodePayload({ codec: 'lz4', payload: new Uint8Array(bytes) })).toEqual(payload);
  });
});
