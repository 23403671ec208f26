import { describe, expect, it } from 'vitest';
import { checkTitle } from '../../../src/pr-checks/rules/title.js';

const CONVENTIONAL = '^(feat|fix|docs|chore)(\\(.+\\))?: .+';

describe('checkTitle', () => {
  it('passes any title when no pattern is configured', () => {
    expect(checkTitle('whatever', undefined)).toEqual([]);
  });

  it('passes a matching title', () => {
    expect(checkTitle('feat(pr-checks): audit workflows', CONVENTIONAL)).toEqual([]);
  });

  it('fails a mismatching title and carries the pattern', () => {
    const [finding] = checkTitle('Audit workflows', CONVENTIONAL);
    expect(finding).toMatchObject({ rule: 'title', severity: 'failure', evidence: CONVENTIONAL });
    expect(finding?.explanation).toContain(CONVENTIONAL);
  });

  it('is case-sensitive like the regex it is given', () => {
    expect(checkTitle('FEAT: shout', CONVENTIONAL)).toHaveLength(1);
  });

  it('gives up on a pattern that backtracks without end, instead of stalling Keel', () => {
    // Run to the end, this match takes seconds (2^27 backtracking steps), well past the limit, yet
    // ends within the test's timeout: without the limit the test fails on the finding, not on a hang.
    const [finding] = checkTitle(`${'a'.repeat(27)}!`, '^(a|a)*$');
    expect(finding).toMatchObject({
      rule: 'title',
      severity: 'failure',
      title: 'The title pattern takes too long to run',
      evidence: '^(a|a)*$',
    });
  });
});
