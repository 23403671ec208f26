import { describe, expect, it } from 'vitest';
import { parsePatch } from '../../../src/pr-checks/diff.js';
import { findConflictMarkers } from '../../../src/pr-checks/rules/conflict-markers.js';
import type { AddedLine } from '../../../src/pr-checks/types.js';
import { readPrChecksFixture } from '../../../fixtures/pr-checks/helpers.js';

const addedIn = (fixture: string): AddedLine[] => parsePatch(readPrChecksFixture(`patches/${fixture}`)).added;
const lines = (...texts: string[]): AddedLine[] => texts.map((text, index) => ({ line: index + 1, text }));

describe('findConflictMarkers', () => {
  it('reports a complete set of markers on the line of <<<<<<<', () => {
    const findings = findConflictMarkers('src/retry.ts', addedIn('conflict.patch'));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      rule: 'conflict-markers',
      severity: 'failure',
      file: 'src/retry.ts',
      line: 11,
    });
    expect(findings[0]?.explanation).toContain('11–15');
  });

  it('ignores a Markdown heading underlined with exactly seven equals signs', () => {
    expect(findConflictMarkers('README.md', addedIn('markdown-underline.patch'))).toEqual([]);
  });

  it('ignores markers that do not start the line', () => {
    expect(findConflictMarkers('a.ts', lines('  <<<<<<< HEAD', '  =======', '  >>>>>>> main'))).toEqual([]);
  });

  it('needs the separator: opening and closing markers alone are not a set', () => {
    expect(findConflictMarkers('a.ts', lines('<<<<<<< HEAD', 'x', '>>>>>>> main'))).toEqual([]);
  });

  it('needs the markers in order', () => {
    expect(findConflictMarkers('a.ts', lines('>>>>>>> main', '=======', '<<<<<<< HEAD'))).toEqual([]);
  });

  it('accepts diff3-style sets with a base section', () => {
    const set = lines('<<<<<<< ours', 'a', '||||||| base', 'b', '=======', 'c', '>>>>>>> theirs');
    expect(findConflictMarkers('a.ts', set)).toHaveLength(1);
  });

  it('reports each set separately', () => {
    const set = ['<<<<<<< HEAD', 'a', '=======', 'b', '>>>>>>> main'];
    expect(findConflictMarkers('a.ts', lines(...set, 'middle', ...set))).toHaveLength(2);
  });

  it('ignores longer runs of the marker characters', () => {
    expect(findConflictMarkers('a.ts', lines('<<<<<<<<', '========', '>>>>>>>>'))).toEqual([]);
  });
});
