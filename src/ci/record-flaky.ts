/**
 * Records as flaky the failing tests of jobs that failed and then passed on the same commit: the
 * stored diagnoses are matched with the pass (`findFlakyTests`) and counted once each.
 */
import type { Store } from '../store/database.js';
import { findFlakyTests, type FlakyRecord } from './flaky.js';
import {
  findUnrecordedFailures,
  recordFlakyTests,
  type UnrecordedFailure,
  type UnrecordedFailureQuery,
} from './store-flaky.js';

/** Returns how many flaky test sightings were recorded. */
export async function recordFlakyFailures(store: Store, query: UnrecordedFailureQuery, now: number): Promise<number> {
  const failures = await findUnrecordedFailures(store, query);
  if (failures.length === 0) return 0;
  // A run that passed passed every job; a job event speaks for its own job only.
  const passed = query.job
    ? [{ name: query.job.name, conclusion: 'success' }]
    : failures.map((failure) => ({ name: failure.diagnosis.job.name, conclusion: 'success' }));
  const records = new Map<UnrecordedFailure, FlakyRecord>();
  for (const failure of failures) {
    const [record] = findFlakyTests(
      { headSha: failure.headSha, diagnoses: [failure.diagnosis] },
      { headSha: query.headSha, jobs: passed },
    );
    if (record) records.set(failure, record);
  }
  return recordFlakyTests(store, failures, records, now);
}
