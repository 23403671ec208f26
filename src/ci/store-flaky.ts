/**
 * Flaky tests: a test that failed and then passed on a re-run of the same commit. Each failed
 * job's diagnosis is counted once (it is marked when recorded), so the workflow_job and the
 * workflow_run events of the same re-run, or a redelivery, never count it twice.
 */
import { createHash } from 'node:crypto';
import type { Store } from '../store/database.js';
import type { Diagnosis } from './diagnose.js';
import type { FlakyRecord } from './flaky.js';

const MAX_TEST_NAME = 1_000;

export interface UnrecordedFailure {
  repositoryId: number;
  runId: number;
  runAttempt: number;
  jobId: number;
  workflow: string;
  headSha: string;
  diagnosis: Diagnosis;
}

export interface UnrecordedFailureQuery {
  repositoryId: number;
  headSha: string;
  /** Only this run's attempts before `beforeAttempt`. */
  run?: { runId: number; beforeAttempt: number };
  /** Only this job (by name, in this workflow when known), and never the job that passed itself. */
  job?: { name: string; workflow?: string | undefined; passedJobId: number };
}

/** Failed jobs on the commit whose failing tests were not yet recorded as flaky. */
export async function findUnrecordedFailures(
  store: Store,
  query: UnrecordedFailureQuery,
): Promise<UnrecordedFailure[]> {
  let select = store.db
    .selectFrom('ci_diagnoses')
    .select(['repository_id', 'run_id', 'run_attempt', 'job_id', 'workflow', 'head_sha', 'diagnosis'])
    .where('repository_id', '=', query.repositoryId)
    .where('head_sha', '=', query.headSha)
    .where('flaky_recorded_at', 'is', null);
  if (query.run) {
    select = select.where('run_id', '=', query.run.runId).where('run_attempt', '<', query.run.beforeAttempt);
  }
  if (query.job) {
    select = select.where('job_name', '=', query.job.name).where('job_id', '!=', query.job.passedJobId);
    if (query.job.workflow) select = select.where('workflow', '=', query.job.workflow);
  }
  const rows = await select.execute();
  return rows.map((row) => ({
    repositoryId: Number(row.repository_id),
    runId: Number(row.run_id),
    runAttempt: row.run_attempt,
    jobId: Number(row.job_id),
    workflow: row.workflow,
    headSha: row.head_sha,
    diagnosis: JSON.parse(row.diagnosis) as Diagnosis,
  }));
}

function flakyKey(workflow: string, job: string, test: string): string {
  return createHash('sha256').update(`${workflow}\u0000${job}\u0000${test}`).digest('hex');
}

/**
 * Counts each record's tests as seen flaky once more and marks the failures they came from as
 * recorded, in one transaction.
 */
export async function recordFlakyTests(
  store: Store,
  failures: readonly UnrecordedFailure[],
  records: ReadonlyMap<UnrecordedFailure, FlakyRecord>,
  now: number,
): Promise<number> {
  let counted = 0;
  await store.db.transaction().execute(async (trx) => {
    for (const failure of failures) {
      const record = records.get(failure);
      for (const fullName of record?.tests ?? []) {
        const test = fullName.slice(0, MAX_TEST_NAME);
        await trx
          .insertInto('ci_flaky_tests')
          .values({
            repository_id: failure.repositoryId,
            key: flakyKey(failure.workflow, failure.diagnosis.job.name, test),
            workflow: failure.workflow,
            job: failure.diagnosis.job.name,
            test,
            first_seen_at: now,
            last_seen_at: now,
            count: 1,
          })
          .onConflict((conflict) =>
            conflict.columns(['repository_id', 'key']).doUpdateSet((eb) => ({
              last_seen_at: now,
              count: eb('ci_flaky_tests.count', '+', 1),
            })),
          )
          .execute();
        counted += 1;
      }
      await trx
        .updateTable('ci_diagnoses')
        .set({ flaky_recorded_at: now })
        .where('repository_id', '=', failure.repositoryId)
        .where('run_id', '=', failure.runId)
        .where('run_attempt', '=', failure.runAttempt)
        .where('job_id', '=', failure.jobId)
        .execute();
    }
  });
  return counted;
}

export interface FlakyTest {
  workflow: string;
  job: string;
  test: string;
  firstSeenAt: number;
  lastSeenAt: number;
  count: number;
}

/** The workflow's known flaky tests. */
export async function listFlakyTests(store: Store, repositoryId: number, workflow: string): Promise<FlakyTest[]> {
  const rows = await store.db
    .selectFrom('ci_flaky_tests')
    .select(['workflow', 'job', 'test', 'first_seen_at', 'last_seen_at', 'count'])
    .where('repository_id', '=', repositoryId)
    .where('workflow', '=', workflow)
    .execute();
  return rows.map((row) => ({
    workflow: row.workflow,
    job: row.job,
    test: row.test,
    firstSeenAt: Number(row.first_seen_at),
    lastSeenAt: Number(row.last_seen_at),
    count: row.count,
  }));
}
