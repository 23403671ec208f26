import { describe, expect, it } from 'vitest';
import { checkSize } from '../../../src/pr-checks/rules/size.js';

describe('checkSize', () => {
  it('says nothing at exactly the limit', () => {
    expect(checkSize(1000, 1000)).toEqual([]);
  });

  it('warns, never fails, above the limit', () => {
    const [finding] = checkSize(1001, 1000);
    expect(finding).toMatchObject({ rule: 'size', severity: 'warning', file: null, line: null });
  });

  it('states the count and the limit', () => {
    expect(checkSize(12345, 1000)[0]?.explanation).toContain('12,345 lines');
    expect(checkSize(12345, 1000)[0]?.explanation).toContain('1,000');
  });
});
