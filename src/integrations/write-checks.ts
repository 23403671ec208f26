/**
 * "Verify by opening a pull request", recorded as it happens: a row per run with every planned
 * step and its status (pending → running → pass / fail / skip), written as each step starts and
 * ends, so any Keel process can show a run in progress and its outcome.
 */
import type { CheckResult, WriteStepProgress } from '../connection/verify/types.js';
import type { Store } from '../store/database.js';

export type WriteStepStatus = 'pending' | 'running' | 'pass' | 'warn' | 'fail' | 'skip';

export interface WriteStepJson {
  /** `connection` (the read checks that come first), then `write:branch` … `write:cleanup`. */
  name: string;
  action: string;
  status: WriteStepStatus;
  finding: string;
  remedy: string;
}

export interface WriteCheckJson {
  id: string;
  integrationId: string;
  repository: string;
  actor: string | null;
  /** running until the verification is stored; then the installation's state it found (interrupted when its process stopped). */
  state: string;
  running: boolean;
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
): Promise<void> {
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
 * read checks their worst status, and a step that never ran is skipped.
 */
export function finishWriteCheck(
  store: Store,
  id: string,
  outcome: { state: string; checks: readonly CheckResult[]; error?: { message: string; remedy: string } },
  now: number,
): Promise<void> {
  const byName = new Map(outcome.checks.map((check) => [check.name as string, check]));
  const reads = outcome.checks.filter((check) => !check.name.startsWith('write:'));
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
                status: worst.status,
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
  if (!row) return undefined;
  const stale = row.finished_at === null && now - Number(row.updated_at) > WRITE_CHECK_STALE_MS;
  return {
    id: row.id,
    integrationId: String(row.installation_id),
    repository: row.repository,
    actor: row.actor,
    state: row.state ?? (stale ? 'interrupted' : 'running'),
    running: row.finished_at === null && !stale,
    steps: parseSteps(row.steps),
    startedAt: iso(row.started_at) ?? '',
    updatedAt: iso(row.updated_at) ?? '',
    finishedAt: iso(row.finished_at),
  };
}
