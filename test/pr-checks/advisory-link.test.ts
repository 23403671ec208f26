/** Which addresses GitHub gives for an advisory Keel shows as a link on its pages. */
import { describe, expect, it } from 'vitest';
import { advisoryLink } from '../../src/pr-checks/github.js';

describe('an advisory link', () => {
  it.each([
    ['https://github.com/advisories/GHSA-cxww-7g56-2vh6', 'api.github.com'],
    ['https://ghe.example.com/advisories/GHSA-cxww-7g56-2vh6', 'ghe.example.com'],
  ])('is kept when it is https on GitHub’s web host: %s', (url, host) => {
    expect(advisoryLink(url, host)).toBe(url);
  });

  it.each([
    ['http://github.com/advisories/GHSA-1', 'api.github.com'],
    ['javascript:alert(1)//github.com', 'api.github.com'],
    ['https://github.com.evil.example/advisories/GHSA-1', 'api.github.com'],
    ['https://user@github.com/advisories/GHSA-1', 'api.github.com'],
    ['https://github.com/advisories/GHSA-1', 'ghe.example.com'],
    ['/advisories/GHSA-1', 'api.github.com'],
  ])('is dropped otherwise: %s (host %s)', (url, host) => {
    expect(advisoryLink(url, host)).toBeUndefined();
  });
});
