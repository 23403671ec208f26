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

  it('encodes the id in the path', () => {
    expect(signPath(key, 'ci', 'a/b')).toMatch(/^\/ci\/a%2Fb\?sig=/);
  });
});
