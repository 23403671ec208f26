/**
 * "Verify by opening a pull request", recorded as it happens: a row per run with every planned
 * step and its status (pending → running → pass / fail / skip), written as each step starts and
 * ends, so any Keel process can show a run in progress and its outcome.
 */
import type { CheckResult, WriteStepProgress } from '../connection/verify/types.js';
import type { Selectable } from 'kysely';
import type { Store } from '../store/database.js';
import type { WriteChecksTable } from '../store/schema.js';

export type WriteStepStatus = 'pending' | 'running' | 'pass' | 'warn' | 'fail' | 'skip';

export interface WriteStepJson {
  /** `connection` (the read checks that come first), then `write:branch` … `write:cleanup`. */
  name: string;
  action: string;
  status: WriteStepStatus;
  finding: string;
  remedy: string;
}

/** What a run came to: still running, every step done, a step failed, or its process stopped first. */
export type WriteCheckOutcome = 'running' | 'passed' | 'failed' | 'interrupted';

export interface WriteCheckJson {
  id: string;
  integrationId: string;
  repository: string;
  actor: string | null;
  /** running until the verification is stored; then the installation's state it found (interrupted when its process stopped). */
  state: string;
  running: boolean;
  outcome: WriteCheckOutcome;
  steps: WriteStepJson[];
  startedAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

/**
 * A run not heard from for this long stopped with its process (a restart, a crash): it shows as
 * interrupted instead of running for ever.
 */
export const WRITE_CHECK_STALE_MS = 10 * 60 * 1000;

/** The read checks a verification runs before any write, shown as the first step. */
export const CONNECTION_STEP = 'connection';

const RANK: Record<CheckResult['status'], number> = { skip: 0, pass: 1, warn: 2, fail: 3 };

function iso(epochMs: number | string | null): string | null {
  return epochMs === null ? null : new Date(Number(epochMs)).toISOString();
}

function parseSteps(text: string): WriteStepJson[] {
  return JSON.parse(text) as WriteStepJson[];
}

/**
 * Records a run with every step pending, unless another run of the same installation is still
 * going: two round trips at once would replace each other's `keel/connection-check` branch. The
 * row is written first and then the others are looked for, so of two runs started together in two
 * processes at least one stands down (both may: then neither touches GitHub). Returns the id of
 * the run in progress when this one stood down.
 */
export async function startWriteCheck(
  store: Store,
  run: {
    id: string;
    installationId: number;
    repository: string;
    actor: string;
    planned: { name: string; action: string }[];
    now: number;
  },
): Promise<string | undefined> {
  const steps: WriteStepJson[] = [
    {
      name: CONNECTION_STEP,
      action: 'check the connection (credentials, installation, permissions, token, repositories)',
      status: 'running',
      finding: '',
      remedy: '',
    },
    ...run.planned.map((step) => ({ ...step, status: 'pending' as const, finding: '', remedy: '' })),
  ];
  await store.db
    .insertInto('write_checks')
    .values({
      id: run.id,
      installation_id: run.installationId,
      repository: run.repository,
      actor: run.actor,
      steps: JSON.stringify(steps),
      state: null,
      started_at: run.now,
      updated_at: run.now,
      finished_at: null,
    })
    .execute();
  const other = await findRunningWriteCheck(store, run.installationId, run.now, run.id);
  if (!other) return undefined;
  await store.db.deleteFrom('write_checks').where('id', '=', run.id).execute();
  return other;
}

/** The id of a run of the installation still going on (not finished, heard from lately), if any. */
export async function findRunningWriteCheck(
  store: Store,
  installationId: number,
  now: number,
  except?: string,
): Promise<string | undefined> {
  let query = store.db
    .selectFrom('write_checks')
    .select('id')
    .where('installation_id', '=', installationId)
    .where('finished_at', 'is', null)
    .where('updated_at', '>=', now - WRITE_CHECK_STALE_MS)
    .orderBy('started_at');
  if (except !== undefined) query = query.where('id', '!=', except);
  return (await query.executeTakeFirst())?.id;
}

async function updateSteps(
  store: Store,
  id: string,
  now: number,
  change: (steps: WriteStepJson[]) => WriteStepJson[],
  finished?: { state: string },
): Promise<void> {
  const row = await store.db.selectFrom('write_checks').select('steps').where('id', '=', id).executeTakeFirst();
  if (!row) return;
  await store.db
    .updateTable('write_checks')
    .set({
      steps: JSON.stringify(change(parseSteps(row.steps))),
      updated_at: now,
      ...(finished ? { state: finished.state, finished_at: now } : {}),
    })
    .where('id', '=', id)
    .execute();
}

/** A write step started or ended; the read checks are over once the first write step starts. */
export function recordWriteStep(store: Store, id: string, progress: WriteStepProgress, now: number): Promise<void> {
  return updateSteps(store, id, now, (steps) =>
    steps.map((step) => {
      if (step.name === progress.name) {
        return progress.status === 'running'
          ? { ...step, status: 'running' }
          : { ...step, status: progress.status, finding: progress.finding, remedy: progress.remedy };
      }
      if (step.name === CONNECTION_STEP && step.status === 'running') return { ...step, status: 'pass' };
      return step;
    }),
  );
}

/**
 * The verification was stored (or failed): every step takes its final check from the report, the
 * read checks their worst status (a failure only a warning when every write passed anyway), and a
 * step that never ran is skipped.
 */
export function finishWriteCheck(
  store: Store,
  id: string,
  outcome: { state: string; checks: readonly CheckResult[]; error?: { message: string; remedy: string } },
  now: number,
): Promise<void> {
  const byName = new Map(outcome.checks.map((check) => [check.name as string, check]));
  const reads = outcome.checks.filter((check) => !check.name.startsWith('write:'));
  const writes = outcome.checks.filter((check) => check.name.startsWith('write:'));
  // A read check that failed without stopping the writes (a permission another capability needs)
  // is a warning here: the round trip itself went through.
  const writesPassed = writes.length > 0 && writes.every((check) => check.status === 'pass');
  const worst = reads.reduce<CheckResult | undefined>(
    (found, check) => (!found || RANK[check.status] > RANK[found.status] ? check : found),
    undefined,
  );
  return updateSteps(
    store,
    id,
    now,
    (steps) =>
      steps.map((step) => {
        if (step.name === CONNECTION_STEP) {
          if (outcome.error) {
            return { ...step, status: 'fail', finding: outcome.error.message, remedy: outcome.error.remedy };
          }
          return worst
            ? {
                ...step,
                status: worst.status === 'fail' && writesPassed ? 'warn' : worst.status,
                finding: worst.status === 'pass' ? 'done' : worst.finding,
                remedy: worst.remedy,
              }
            : step;
        }
        const check = byName.get(step.name);
        if (check) return { ...step, status: check.status, finding: check.finding, remedy: check.remedy };
        return step.status === 'pass' || step.status === 'fail'
          ? step
          : { ...step, status: 'skip', finding: 'not run' };
      }),
    { state: outcome.state },
  );
}

function judgeOutcome(finished: boolean, stale: boolean, steps: readonly WriteStepJson[]): WriteCheckOutcome {
  if (!finished) return stale ? 'interrupted' : 'running';
  return steps.some((step) => step.status === 'fail') ? 'failed' : 'passed';
}

function toWriteCheckJson(row: Selectable<WriteChecksTable>, now: number): WriteCheckJson {
  const finished = row.finished_at !== null;
  const stale = !finished && now - Number(row.updated_at) > WRITE_CHECK_STALE_MS;
  const steps = parseSteps(row.steps);
  return {
    id: row.id,
    integrationId: String(row.installation_id),
    repository: row.repository,
    actor: row.actor,
    state: row.state ?? (stale ? 'interrupted' : 'running'),
    running: !finished && !stale,
    outcome: judgeOutcome(finished, stale, steps),
    steps,
    startedAt: iso(row.started_at) ?? '',
    updatedAt: iso(row.updated_at) ?? '',
    finishedAt: iso(row.finished_at),
  };
}

export async function readWriteCheck(
  store: Store,
  installationId: number,
  id: string,
  now: number,
): Promise<WriteCheckJson | undefined> {
  const row = await store.db
    .selectFrom('write_checks')
    .selectAll()
    .where('id', '=', id)
    .where('installation_id', '=', installationId)
    .executeTakeFirst();
  return row && toWriteCheckJson(row, now);
}

/** An installation's latest runs, newest first: a run started and left stays findable. */
export async function listWriteChecks(
  store: Store,
  installationId: number,
  limit: number,
  now: number,
): Promise<WriteCheckJson[]> {
  const rows = await store.db
    .selectFrom('write_checks')
    .selectAll()
    .where('installation_id', '=', installationId)
    .orderBy('started_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((row) => toWriteCheckJson(row, now));
}
