import { describe, expect, it } from 'vitest';
import { maskLine, maskSecret } from '../../src/pr-checks/mask.js';
import { fakeSecrets } from '../../fixtures/pr-checks/helpers.js';

const { githubClassic } = fakeSecrets();

describe('maskSecret', () => {
  it('keeps the public prefix and the last four characters', () => {
    expect(maskSecret(githubClassic, 4)).toBe(`${githubClassic.slice(0, 4)}…${githubClassic.slice(-4)}`);
  });

  it('shows no tail of a short secret', () => {
    expect(maskSecret('s3cr3tP4ss99', 0)).toBe('…');
  });
});

describe('maskLine', () => {
  it('replaces every secret on the line and keeps the rest', () => {
    const line = `const a = "${githubClassic}", b = "${githubClassic}";`;
    const span = (start: number) => ({ start, end: start + githubClassic.length, prefixLength: 4 });
    const masked = maskLine(line, [span(line.indexOf(githubClassic)), span(line.lastIndexOf(githubClassic))]);
    expect(masked).toBe(`const a = "ghp_…${githubClassic.slice(-4)}", b = "ghp_…${githubClassic.slice(-4)}";`);
  });

  it('never reveals the tail of overlapping spans', () => {
    const line = `x=${githubClassic}`;
    const masked = maskLine(line, [
      { start: 2, end: 20, prefixLength: 4 },
      { start: 10, end: line.length, prefixLength: 0 },
    ]);
    expect(masked).not.toContain(githubClassic.slice(8, 30));
  });

  it('clips long lines around the secret', () => {
    const line = `${'a'.repeat(300)} token=${githubClassic} ${'b'.repeat(300)}`;
    const start = line.indexOf(githubClassic);
    const masked = maskLine(line, [{ start, end: start + githubClassic.length, prefixLength: 4 }]);
    expect(masked.length).toBeLessThanOrEqual(162);
    expect(masked).toContain('ghp_…');
  });
});
