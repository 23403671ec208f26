import { describe, expect, it } from 'vitest';
import type { Diagnosis } from '../../src/ci/diagnose.js';
import { findFlakyTests, isOnlyKnownFlaky, markKnownFlaky } from '../../src/ci/flaky.js';

function failedJob(name: string, tests: string[], kind: Diagnosis['kind'] = 'test-failure'): Diagnosis {
  return {
    workflow: 'CI',
    job: { id: 1, name },
    failedStep: null,
    kind,
    tool: 'vitest',
    failures: tests.map((test) => ({ test, message: 'failed' })),
    failureCount: tests.length,
    excerpt: [],
    logUrl: 'u',
  };
}

describe('findFlakyTests', () => {
  it('reports the tests of a job that failed, then passed on the same commit', () => {
    const failed = { headSha: 'abc', diagnoses: [failedJob('test', ['a > b', 'c'])] };
    const later = { headSha: 'abc', jobs: [{ name: 'test', conclusion: 'success' }] };
    expect(findFlakyTests(failed, later)).toEqual([{ job: 'test', tests: ['a > b', 'c'] }]);
  });

  it('reports nothing when the later attempt ran another commit', () => {
    const failed = { headSha: 'abc', diagnoses: [failedJob('test', ['a'])] };
    expect(findFlakyTests(failed, { headSha: 'def', jobs: [{ name: 'test', conclusion: 'success' }] })).toEqual([]);
  });

  it('ignores jobs that failed again, and jobs that failed for a reason other than tests', () => {
    const failed = { headSha: 'abc', diagnoses: [failedJob('test', ['a']), failedJob('build', [], 'compile-error')] };
    const later = {
      headSha: 'abc',
      jobs: [
        { name: 'test', conclusion: 'failure' },
        { name: 'build', conclusion: 'success' },
      ],
    };
    expect(findFlakyTests(failed, later)).toEqual([]);
  });
});

describe('markKnownFlaky', () => {
  it('annotates only the failures of known flaky tests and leaves the input untouched', () => {
    const diagnosis = failedJob('test', ['a', 'b']);
    const marked = markKnownFlaky(diagnosis, ['b']);
    expect(marked.failures).toEqual([
      { test: 'a', message: 'failed' },
      { test: 'b', message: 'failed', knownFlaky: true },
    ]);
    expect(diagnosis.failures[1]).not.toHaveProperty('knownFlaky');
  });

  it('tells when every failure is a known flaky test', () => {
    expect(isOnlyKnownFlaky(markKnownFlaky(failedJob('test', ['a', 'b']), ['a', 'b']))).toBe(true);
    expect(isOnlyKnownFlaky(markKnownFlaky(failedJob('test', ['a', 'b']), ['a']))).toBe(false);
  });
});
