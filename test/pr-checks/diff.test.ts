import { describe, expect, it } from 'vitest';
import { parsePatch } from '../../src/pr-checks/diff.js';
import { readPrChecksFixture } from '../../fixtures/pr-checks/helpers.js';

describe('parsePatch', () => {
  it('numbers added lines as in the new file across several hunks', () => {
    const { added } = parsePatch(readPrChecksFixture('patches/multi-hunk.patch'));
    expect(added).toEqual([
      { line: 2, text: 'const b = 2;' },
      { line: 3, text: 'const c = 3;' },
      { line: 23, text: 'export default b;' },
    ]);
  });

  it('counts additions and deletions', () => {
    const { additions, deletions } = parsePatch(readPrChecksFixture('patches/multi-hunk.patch'));
    expect({ additions, deletions }).toEqual({ additions: 3, deletions: 2 });
  });

  it('does not treat "\\ No newline at end of file" as a line', () => {
    const { added } = parsePatch('@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+b\n\\ No newline at end of file');
    expect(added).toEqual([{ line: 1, text: 'b' }]);
  });

  it('reads a new file starting at line 1', () => {
    const { added } = parsePatch('@@ -0,0 +1,2 @@\n+first\n+second');
    expect(added.map((line) => line.line)).toEqual([1, 2]);
  });

  it('keeps added lines that look like file headers or hunk headers', () => {
    const { added } = parsePatch('@@ -1,1 +1,3 @@\n context\n+++ not a header\n+@@ not a hunk @@');
    expect(added).toEqual([
      { line: 2, text: '++ not a header' },
      { line: 3, text: '@@ not a hunk @@' },
    ]);
  });

  it('counts a context line whose single space was stripped', () => {
    const { added } = parsePatch('@@ -1,3 +1,4 @@\n a\n\n b\n+c');
    expect(added).toEqual([{ line: 4, text: 'c' }]);
  });

  it('drops the carriage return of CRLF files', () => {
    const { added } = parsePatch('@@ -0,0 +1 @@\n+windows line\r');
    expect(added[0]?.text).toBe('windows line');
  });

  it('returns nothing for a deletion-only patch', () => {
    expect(parsePatch('@@ -1,2 +0,0 @@\n-a\n-b')).toEqual({
      added: [],
      additions: 0,
      deletions: 2,
    });
  });
});
