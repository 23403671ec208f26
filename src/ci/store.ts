/**
 * CI storage: the run attempts Keel diagnosed (one diagnosis page each) with their jobs'
 * diagnoses, and the `keel/ci` state last written per commit. Every write is an upsert keyed by
 * what GitHub identifies (repository, run, attempt, job), so a delivery handled twice keeps the
 * same page id and rows.
 */
import { randomBytes } from 'node:crypto';
import type { Store } from '../store/database.js';
import type { CiRunsTable } from '../store/schema.js';
import type { Diagnosis } from './diagnose.js';
import type { ConfigErrorReport } from '../repo-config/repo-config-error.js';

/** Conclusions of a run Keel diagnoses. */
export const FAILED_RUN_CONCLUSIONS: ReadonlySet<string> = new Set(['failure', 'timed_out', 'startup_failure']);

export interface RunFacts {
  installationId: number;
  repositoryId: number;
  /** owner/name */
  repository: string;
  runId: number;
  runAttempt: number;
  workflowId: number;
  workflow: string;
  event: string;
  headSha: string;
  headBranch: string | null;
  conclusion: string;
  htmlUrl: string;
}

export interface RunDiagnoses {
  diagnoses: readonly Diagnosis[];
  notDiagnosed: number;
  configError: ConfigErrorReport | null;
}

export interface StoredRun extends RunFacts, RunDiagnoses {
  /** The diagnosis page's id. */
  id: string;
  diagnoses: Diagnosis[];
  createdAt: number;
  updatedAt: number;
}

/** Saves a diagnosed run attempt and its jobs' diagnoses; returns the page id (stable across redeliveries). */
export async function saveRunDiagnoses(
  store: Store,
  run: RunFacts,
  result: RunDiagnoses,
  now: number,
): Promise<string> {
  return store.db.transaction().execute(async (trx) => {
    const runValues = {
      installation_id: run.installationId,
      repository: run.repository,
      workflow_id: run.workflowId,
      workflow: run.workflow,
      event: run.event,
      head_sha: run.headSha,
      head_branch: run.headBranch,
      conclusion: run.conclusion,
      html_url: run.htmlUrl,
      not_diagnosed: result.notDiagnosed,
      config_error: result.configError ? JSON.stringify(result.configError) : null,
      updated_at: now,
    };
    await trx
      .insertInto('ci_runs')
      .values({
        id: randomBytes(12).toString('base64url'),
        repository_id: run.repositoryId,
        run_id: run.runId,
        run_attempt: run.runAttempt,
        created_at: now,
        ...runValues,
      })
      .onConflict((conflict) => conflict.columns(['repository_id', 'run_id', 'run_attempt']).doUpdateSet(runValues))
      .execute();
    const { id } = await trx
      .selectFrom('ci_runs')
      .select('id')
      .where('repository_id', '=', run.repositoryId)
      .where('run_id', '=', run.runId)
      .where('run_attempt', '=', run.runAttempt)
      .executeTakeFirstOrThrow();
    for (const [position, diagnosis] of result.diagnoses.entries()) {
      const values = {
        run_key: id,
        position,
        workflow: run.workflow,
        job_name: diagnosis.job.name,
        head_sha: run.headSha,
        diagnosis: JSON.stringify(diagnosis),
      };
      await trx
        .insertInto('ci_diagnoses')
        .values({
          repository_id: run.repositoryId,
          run_id: run.runId,
          run_attempt: run.runAttempt,
          job_id: diagnosis.job.id,
          created_at: now,
          ...values,
        })
        .onConflict((conflict) =>
          conflict.columns(['repository_id', 'run_id', 'run_attempt', 'job_id']).doUpdateSet(values),
        )
        .execute();
    }
    return id;
  });
}

type RunRow = CiRunsTable;

async function withDiagnoses(store: Store, row: RunRow): Promise<StoredRun> {
  const diagnoses = await store.db
    .selectFrom('ci_diagnoses')
    .select('diagnosis')
    .where('run_key', '=', row.id)
    .orderBy('position')
    .execute();
  return {
    id: row.id,
    installationId: Number(row.installation_id),
    repositoryId: Number(row.repository_id),
    repository: row.repository,
    runId: Number(row.run_id),
    runAttempt: row.run_attempt,
    workflowId: Number(row.workflow_id),
    workflow: row.workflow,
    event: row.event,
    headSha: row.head_sha,
    headBranch: row.head_branch,
    conclusion: row.conclusion,
    htmlUrl: row.html_url,
    notDiagnosed: row.not_diagnosed,
    configError: row.config_error ? (JSON.parse(row.config_error) as ConfigErrorReport) : null,
    diagnoses: diagnoses.map((entry) => JSON.parse(entry.diagnosis) as Diagnosis),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

/** The run attempt behind a diagnosis link. */
export async function readRun(store: Store, id: string): Promise<StoredRun | undefined> {
  const row = await store.db.selectFrom('ci_runs').selectAll().where('id', '=', id).executeTakeFirst();
  return row && withDiagnoses(store, row);
}

/** Records that a run attempt passed, so it no longer counts among the commit's failing runs. */
export async function recordPassedRun(store: Store, run: RunFacts, now: number): Promise<void> {
  await saveRunDiagnoses(store, run, { diagnoses: [], notDiagnosed: 0, configError: null }, now);
}

/**
 * The commit's runs that fail now: per workflow and event, the latest attempt Keel saw, when it
 * failed (a re-run that passed, or a later run of the same workflow, replaces it).
 */
export async function findFailingRuns(store: Store, repositoryId: number, headSha: string): Promise<StoredRun[]> {
  const rows = await store.db
    .selectFrom('ci_runs')
    .selectAll()
    .where('repository_id', '=', repositoryId)
    .where('head_sha', '=', headSha)
    .orderBy('run_id', 'desc')
    .orderBy('run_attempt', 'desc')
    .execute();
  const latest = new Map<string, RunRow>();
  for (const row of rows) {
    const key = `${row.workflow_id}|${row.event}`;
    if (!latest.has(key)) latest.set(key, row);
  }
  const failing = [...latest.values()]
    .filter((row) => FAILED_RUN_CONCLUSIONS.has(row.conclusion))
    .sort((a, b) => Number(a.created_at) - Number(b.created_at) || Number(a.run_id) - Number(b.run_id));
  return Promise.all(failing.map((row) => withDiagnoses(store, row)));
}

export type CommitState = 'failure' | 'success';

/** The `keel/ci` state Keel last wrote on the commit, if any. */
export async function readCommitState(
  store: Store,
  repositoryId: number,
  headSha: string,
): Promise<CommitState | undefined> {
  const row = await store.db
    .selectFrom('ci_commits')
    .select('state')
    .where('repository_id', '=', repositoryId)
    .where('head_sha', '=', headSha)
    .executeTakeFirst();
  return row?.state === 'failure' || row?.state === 'success' ? row.state : undefined;
}

export async function saveCommitState(
  store: Store,
  commit: { installationId: number; repositoryId: number; headSha: string; state: CommitState },
  now: number,
): Promise<void> {
  await store.db
    .insertInto('ci_commits')
    .values({
      repository_id: commit.repositoryId,
      head_sha: commit.headSha,
      installation_id: commit.installationId,
      state: commit.state,
      updated_at: now,
    })
    .onConflict((conflict) =>
      conflict.columns(['repository_id', 'head_sha']).doUpdateSet({ state: commit.state, updated_at: now }),
    )
    .execute();
}
