import { describe, expect, it } from 'vitest';
import { signLink, signPath, verifySignedPath } from '../../src/http/signed-links.js';

const key = Buffer.alloc(32, 7);
const otherKey = Buffer.alloc(32, 8);

describe('signed links', () => {
  it('builds /<kind>/<id>?sig=<base64url signature>', () => {
    expect(signPath(key, 'pr-checks', 'r1')).toMatch(/^\/pr-checks\/r1\?sig=[A-Za-z0-9_-]{43}$/);
  });

  it('accepts the signature it made', () => {
    expect(verifySignedPath(key, 'pr-checks', 'r1', signLink(key, 'pr-checks', 'r1'))).toBe(true);
  });

  it('refuses a missing signature', () => {
    expect(verifySignedPath(key, 'pr-checks', 'r1', undefined)).toBe(false);
  });

  it('refuses the signature of another id', () => {
    expect(verifySignedPath(key, 'pr-checks', 'r2', signLink(key, 'pr-checks', 'r1'))).toBe(false);
  });

  it('refuses the signature of the same id for another kind of page', () => {
    expect(verifySignedPath(key, 'ci', 'r1', signLink(key, 'pr-checks', 'r1'))).toBe(false);
  });

  it('refuses a signature made with another key', () => {
    expect(verifySignedPath(key, 'pr-checks', 'r1', signLink(otherKey, 'pr-checks', 'r1'))).toBe(false);
  });

  it('refuses a truncated or padded signature', () => {
    const signature = signLink(key, 'pr-checks', 'r1');
    expect(verifySignedPath(key, 'pr-checks', 'r1', signature.slice(0, -1))).toBe(false);
    expect(verifySignedPath(key, 'pr-checks', 'r1', `${signature}=`)).toBe(false);
  });

  it('refuses the other spellings of the signature that decode to the same bytes', () => {
    const signature = signLink(key, 'pr-checks', 'r1');
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    // The last character carries 4 bits of the hash and 2 bits the decoder ignores.
    const last = alphabet.indexOf(signature.at(-1) as string);
    const spellings = [1, 2, 3].map((low) => `${signature.slice(0, -1)}${alphabet[(last & ~3) | ((last + low) & 3)]}`);
    for (const spelling of spellings) {
      expect(Buffer.from(spelling, 'base64url')).toEqual(Buffer.from(signature, 'base64url'));
      expect(verifySignedPath(key, 'pr-checks', 'r1', spelling)).toBe(false);
    }
  });

  it('encodes the id in the path', () => {
    expect(signPath(key, 'ci', 'a/b')).toMatch(/^\/ci\/a%2Fb\?sig=/);
  });
});
