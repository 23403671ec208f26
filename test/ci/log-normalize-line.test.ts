import { describe, expect, it } from 'vitest';
import { findTimestampEnd, normalizeLine, stripAnsi } from '../../src/ci/log/normalize-line.js';

describe('normalizeLine', () => {
  it('strips the runner timestamp with seven fractional digits', () => {
    expect(normalizeLine('2024-05-01T12:34:56.1234567Z npm test')).toBe('npm test');
  });

  it('strips a UTF-8 byte order mark before the first timestamp', () => {
    expect(normalizeLine('\uFEFF2024-05-01T12:34:56.1234567Z Current runner version')).toBe('Current runner version');
  });

  it('keeps the indentation after the timestamp', () => {
    expect(normalizeLine('2024-05-01T12:34:56.1234567Z     at foo (a.js:1:2)')).toBe('    at foo (a.js:1:2)');
  });

  it('turns a timestamp-only line into an empty line', () => {
    expect(normalizeLine('2024-05-01T12:34:56.1234567Z ')).toBe('');
    expect(normalizeLine('2024-05-01T12:34:56.1234567Z')).toBe('');
  });

  it('leaves lines without a timestamp alone (continuation lines of multi-line messages)', () => {
    expect(normalizeLine(' ❯ test/cart.test.ts:25:12')).toBe(' ❯ test/cart.test.ts:25:12');
  });

  it('removes ANSI colours and hyperlinks', () => {
    expect(normalizeLine('2024-05-01T12:34:56.1234567Z \u001b[41m\u001b[1m FAIL \u001b[22m\u001b[49m test/a.ts')).toBe(
      ' FAIL  test/a.ts',
    );
    expect(stripAnsi('\u001b]8;;https://x\u0007link\u001b]8;;\u0007')).toBe('link');
  });

  it('keeps what a progress bar finally showed after carriage returns', () => {
    expect(normalizeLine('Downloading 10%\rDownloading 60%\rDownloading 100%\r')).toBe('Downloading 100%');
  });

  it('does not take text that merely starts with a date for a timestamp', () => {
    expect(findTimestampEnd('2024-05-01 release notes')).toBe(0);
  });
});
