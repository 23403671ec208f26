import { describe, expect, it } from 'vitest';
import { composeExcerpt } from '../../src/ci/parsers/compose-excerpt.js';

const block = (name: string, length: number): string[] => Array.from({ length }, (_, index) => `${name}${index}`);

describe('composeExcerpt', () => {
  it('never returns more than 30 lines', () => {
    expect(composeExcerpt([block('a', 50), block('b', 50)], 'summary')).toHaveLength(30);
  });

  it('gives every failure its first lines before giving any failure more', () => {
    const lines = composeExcerpt([block('a', 20), block('b', 20), block('c', 20)], 'summary');
    expect(lines).toContain('b3');
    expect(lines).toContain('c3');
    expect(lines.at(-1)).toBe('summary');
  });

  it('removes the common indentation of a block and blank lines at its edges', () => {
    expect(composeExcerpt([['', '    error: x', '      detail', '']])).toEqual(['error: x', '  detail']);
  });

  it('drops noise lines whatever parser kept them', () => {
    const lines = composeExcerpt([
      ['##[group]Run x', 'npm error', 'npm timing idealTree Completed in 30ms', '  ✓ passes', 'real error'],
    ]);
    expect(lines).toEqual(['real error']);
  });
});
