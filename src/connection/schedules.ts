/**
 * Background jobs shared by every Keel process: each job is a row whose `next_run_at` a process
 * moves forward with one conditional UPDATE. Only the process whose UPDATE matched runs the job,
 * so with several processes on Postgres an hourly job still runs once an hour.
 */
import type { Store } from '../store/database.js';
import type { SchedulesTable } from '../store/schema.js';

export interface ClaimScheduleOptions {
  name: string;
  everyMs: number;
  now: number;
  /** Who claims (host:pid:…), kept for operators. */
  claimant: string;
  /** Claim even when not due (a process starting up); still pushes the next run forward. */
  force?: boolean;
}

/** True when this caller won the run: the row was due (or forced) and its next run now lies ahead. */
export async function claimSchedule(store: Store, options: ClaimScheduleOptions): Promise<boolean> {
  const { name, everyMs, now, claimant, force = false } = options;
  await store.db
    .insertInto('schedules')
    .values({
      name,
      next_run_at: now,
      claimed_by: null,
      claimed_at: null,
      last_success_at: null,
      last_result: null,
    })
    .onConflict((conflict) => conflict.column('name').doNothing())
    .execute();
  let update = store.db
    .updateTable('schedules')
    .set({ next_run_at: now + everyMs, claimed_by: claimant, claimed_at: now })
    .where('name', '=', name);
  if (!force) update = update.where('next_run_at', '<=', now);
  const result = await update.executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Records a finished run: when it started and what it found (JSON). */
/**
 * Gives back a claim whose run was cut short (Keel stopping): the job is due again at once, so the
 * next start or another process runs it rather than waiting out its period.
 */
export async function releaseSchedule(store: Store, name: string, claimant: string, claimedAt: number): Promise<void> {
  await store.db
    .updateTable('schedules')
    .set({ next_run_at: claimedAt, claimed_by: null, claimed_at: null })
    .where('name', '=', name)
    .where('claimed_by', '=', claimant)
    .where('claimed_at', '=', claimedAt)
    .execute();
}

export async function finishSchedule(store: Store, name: string, startedAt: number, result: unknown): Promise<void> {
  await store.db
    .updateTable('schedules')
    .set({ last_success_at: startedAt, last_result: JSON.stringify(result) })
    .where('name', '=', name)
    .execute();
}

export function readSchedule(store: Store, name: string): Promise<SchedulesTable | undefined> {
  return store.db.selectFrom('schedules').selectAll().where('name', '=', name).executeTakeFirst();
}
