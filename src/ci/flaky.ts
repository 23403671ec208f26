import type { Diagnosis } from './diagnose.js';

export interface FlakyRecord {
  job: string;
  tests: string[];
}

export interface FailedAttempt {
  headSha: string;
  diagnoses: readonly Diagnosis[];
}

export interface LaterAttempt {
  headSha: string;
  jobs: readonly { name: string; conclusion: string | null }[];
}

/**
 * Tests that failed in one attempt and passed in a later attempt of the same job on the same commit
 * are flaky: nothing changed but the outcome. Only test failures count; a job that failed to compile
 * and then passed says nothing about its tests.
 */
export function findFlakyTests(failed: FailedAttempt, later: LaterAttempt): FlakyRecord[] {
  if (failed.headSha !== later.headSha) return [];
  const passed = new Set(later.jobs.filter((job) => job.conclusion === 'success').map((job) => job.name));
  return failed.diagnoses
    .filter((diagnosis) => diagnosis.kind === 'test-failure' && passed.has(diagnosis.job.name))
    .map((diagnosis) => ({
      job: diagnosis.job.name,
      tests: [...new Set(diagnosis.failures.flatMap((failure) => (failure.test ? [failure.test] : [])))],
    }))
    .filter((record) => record.tests.length > 0);
}

/** Marks the failures whose test is known to be flaky; returns a new diagnosis. */
export function markKnownFlaky(diagnosis: Diagnosis, knownFlakyTests: Iterable<string>): Diagnosis {
  const known = new Set(knownFlakyTests);
  return {
    ...diagnosis,
    failures: diagnosis.failures.map((failure) =>
      failure.test !== undefined && known.has(failure.test) ? { ...failure, knownFlaky: true } : failure,
    ),
  };
}

/** True when every failure shown is a known flaky test (a re-run will likely pass). */
export function isOnlyKnownFlaky(diagnosis: Diagnosis): boolean {
  return (
    diagnosis.failures.length > 0 &&
    diagnosis.failureCount === diagnosis.failures.length &&
    diagnosis.failures.every((failure) => failure.knownFlaky === true)
  );
}
