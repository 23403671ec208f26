/**
 * Claims on deliveries. A delivery moves queued → processing → processed, or on failure → failed
 * (retry scheduled) → … → dead. A processing delivery whose lease expired (its process died) is
 * claimable again. Every change to a claimed delivery is fenced by `heldBy`, so a process that
 * lost its lease can never overwrite the work of the one that took over, nor start it again.
 *
 * An attempt counts when the delivery's handler starts: at the claim for deliveries claimed from
 * the store (they start at once), at `startDeliveries` for those the receiver handed over (they
 * may wait for a slot). A processing row with no attempt counted has not started.
 *
 * Deliveries sharing a concurrency key run one at a time, in `seq` order: one starts only when
 * no delivery of its key is running and none received before it is still to run. A failed
 * delivery waiting for its retry does not hold the key.
 */
import { sql, type ExpressionBuilder } from 'kysely';
import type { Store } from '../store/database.js';
import type { Database } from '../store/schema.js';
import type { DeliveryRow } from './deliveries.js';

type Where = ExpressionBuilder<Database, 'deliveries'>;

/** The fence: the delivery is still processing under `workerId`'s claim. */
function heldBy(workerId: string) {
  return (eb: Where) => eb.and([eb('claimed_by', '=', workerId), eb('status', '=', 'processing')]);
}

/**
 * The statuses of the partial index `deliveries_active_key` (migration 013), written as literals:
 * a planner uses a partial index only where the query names its condition, not parameters.
 */
const ACTIVE_STATUSES = (['queued', 'processing', 'failed'] as const).map((status) => sql.lit(status));

/** The other active deliveries of this one's key: each question below is one index seek. */
function sameKey(eb: Where) {
  return eb
    .selectFrom('deliveries as other')
    .select('other.seq')
    .whereRef('other.concurrency_key', '=', 'deliveries.concurrency_key')
    .where('other.status', 'in', ACTIVE_STATUSES);
}

/** Another delivery of the same key runs, or was received before this one and is still to run. */
function isKeyBusy(now: number) {
  return (eb: Where) =>
    eb.or([
      eb.exists(
        sameKey(eb)
          .where('other.status', '=', 'processing')
          .where('other.attempts', '>', 0)
          .where('other.lease_expires_at', '>=', now)
          .whereRef('other.seq', '<>', 'deliveries.seq'),
      ),
      eb.exists(
        sameKey(eb).where('other.status', 'in', ['queued', 'processing']).whereRef('other.seq', '<', 'deliveries.seq'),
      ),
      eb.exists(
        sameKey(eb)
          .where('other.status', '=', 'failed')
          .where('other.next_attempt_at', '<=', now)
          .whereRef('other.seq', '<', 'deliveries.seq'),
      ),
    ]);
}

export interface ClaimOptions {
  workerId: string;
  limit: number;
  leaseMs: number;
  now: number;
  /** Installations that may not take another slot of this worker now. */
  excludeInstallations?: readonly number[];
}

/** The claim itself: processing under `workerId`'s lease, its attempt counted (it starts at once). */
function claimFor(workerId: string, leaseMs: number, now: number) {
  return {
    status: 'processing' as const,
    attempts: sql<number>`attempts + 1`,
    claimed_by: workerId,
    lease_expires_at: now + leaseMs,
  };
}

/** Leaves out deliveries of installations that may not take another slot of this worker now. */
function outsideInstallations(excluded: readonly number[]) {
  return (where: Where) =>
    where.or([where('installation_id', 'is', null), where('installation_id', 'not in', [...excluded])]);
}

type Candidates = 'retries' | 'queued';

/** A claimed delivery, and whether a later delivery of its key waited queued at the claim. */
export type ClaimedRow = DeliveryRow & { has_backlog: boolean };

/**
 * Whether a later delivery of the claimed one's key is queued: one seek on the partial index, so
 * the worker claims the key's next delivery as this one finishes only when there is one.
 */
function hasBacklog(eb: Where) {
  return eb
    .exists(sameKey(eb).where('other.status', '=', 'queued').whereRef('other.seq', '>', 'deliveries.seq'))
    .as('has_backlog');
}

function readBacklog(row: DeliveryRow & { has_backlog: unknown }): ClaimedRow {
  // SQLite answers 0 or 1, Postgres a boolean.
  return { ...row, has_backlog: Boolean(row.has_backlog) };
}

/**
 * Due deliveries of one kind, in claim order. `queued` ones are walked along the index on
 * (status, next_attempt_at), which is already in that order: the walk stops at the `limit`th one
 * whose key is free, however long the queue. Naming both kinds in one query would make the
 * database gather and sort every due delivery, each with its key checked, before taking any.
 * `retries` (failed and due, or processing with a lapsed lease) are few.
 */
function selectDue(store: Store, kind: Candidates, { limit, now, excludeInstallations = [] }: ClaimOptions) {
  let candidates = store.db
    .selectFrom('deliveries')
    .select('id')
    .where((where) =>
      kind === 'queued'
        ? where.and([where('status', '=', 'queued'), where('next_attempt_at', '<=', now)])
        : where.or([
            where.and([where('status', '=', 'failed'), where('next_attempt_at', '<=', now)]),
            where.and([where('status', '=', 'processing'), where('lease_expires_at', '<', now)]),
          ]),
    )
    .where((where) => where.not(isKeyBusy(now)(where)))
    .orderBy('next_attempt_at')
    .orderBy('seq')
    .limit(limit);
  if (excludeInstallations.length > 0) {
    candidates = candidates.where(outsideInstallations(excludeInstallations));
  }
  return store.dialect === 'postgres' ? candidates.forUpdate().skipLocked() : candidates;
}

async function claimDue(store: Store, kind: Candidates, options: ClaimOptions): Promise<ClaimedRow[]> {
  const { workerId, leaseMs, now } = options;
  const rows = await store.db
    .updateTable('deliveries')
    .set(claimFor(workerId, leaseMs, now))
    .where('id', 'in', selectDue(store, kind, options))
    .returningAll()
    .returning(hasBacklog)
    .execute();
  return rows.map(readBacklog);
}

/**
 * Claims up to `limit` due deliveries for `workerId` and counts their attempt: retries first (they
 * were received earlier), then queued deliveries in the order received. On Postgres the candidate
 * rows are locked with FOR UPDATE SKIP LOCKED, so concurrent processes never claim the same row;
 * SQLite serialises writers, which gives the same guarantee for its single process. A delivery
 * waits for every earlier one of its key whatever their kinds (isKeyBusy), so claiming the two
 * kinds apart keeps each key's order.
 */
export async function claimDeliveries(store: Store, options: ClaimOptions): Promise<ClaimedRow[]> {
  const retries = await claimDue(store, 'retries', options);
  if (retries.length >= options.limit) return retries;
  const queued = await claimDue(store, 'queued', { ...options, limit: options.limit - retries.length });
  return [...retries, ...queued];
}

/**
 * Claims the first delivery queued under `key` if it may run now (due, and its key not busy), and
 * counts its attempt: the next of a key whose earlier deliveries this process just finished. One
 * index seek, however many deliveries of the key wait, where `claimDeliveries` weighs every due
 * delivery.
 */
export async function claimNextOfKey(
  store: Store,
  key: string,
  { workerId, leaseMs, now, excludeInstallations = [] }: Omit<ClaimOptions, 'limit'>,
): Promise<ClaimedRow | undefined> {
  const first = store.db
    .selectFrom('deliveries')
    .select('id')
    .where('concurrency_key', '=', key)
    .where('status', 'in', ACTIVE_STATUSES)
    .where('status', '=', 'queued')
    .orderBy('seq')
    .limit(1);
  let claim = store.db
    .updateTable('deliveries')
    .set(claimFor(workerId, leaseMs, now))
    .where('id', '=', first)
    .where('status', '=', 'queued')
    .where('next_attempt_at', '<=', now)
    .where((where) => where.not(isKeyBusy(now)(where)));
  if (excludeInstallations.length > 0) {
    claim = claim.where(outsideInstallations(excludeInstallations));
  }
  const row = await claim.returningAll().returning(hasBacklog).executeTakeFirst();
  return row && readBacklog(row);
}

export interface StartOptions {
  workerId: string;
  leaseMs: number;
  now: number;
}

/**
 * Starts deliveries stored under `workerId`'s claim (handed over by the receiver): counts their
 * attempt and renews their lease, only where this process still holds them and their key is free.
 * Returns the attempts of those started, by id; the others must not run here.
 */
export async function startDeliveries(
  store: Store,
  ids: readonly string[],
  { workerId, leaseMs, now }: StartOptions,
): Promise<Map<string, number>> {
  const rows = await store.db
    .updateTable('deliveries')
    .set({ attempts: sql<number>`attempts + 1`, lease_expires_at: now + leaseMs })
    .where('id', 'in', [...ids])
    .where(heldBy(workerId))
    .where((where) => where.not(isKeyBusy(now)(where)))
    .returning(['id', 'attempts'])
    .execute();
  return new Map(rows.map((row) => [row.id, row.attempts]));
}

/**
 * Puts deliveries `workerId` holds but could not start (their key is busy) back in the queue, to
 * be claimed in turn. Returns those it still held.
 */
export async function yieldDeliveries(
  store: Store,
  ids: readonly string[],
  workerId: string,
  now: number,
): Promise<string[]> {
  const rows = await store.db
    .updateTable('deliveries')
    .set({ status: 'queued', claimed_by: null, lease_expires_at: null, next_attempt_at: now })
    .where('id', 'in', [...ids])
    .where(heldBy(workerId))
    .returning('id')
    .execute();
  return rows.map((row) => row.id);
}

/** Marks many deliveries processed in one statement; only those `workerId` still holds. */
export async function completeDeliveries(
  store: Store,
  ids: readonly string[],
  workerId: string,
  now: number,
): Promise<void> {
  await store.db
    .updateTable('deliveries')
    .set({ status: 'processed', processed_at: now, lease_expires_at: null, error: null })
    .where('id', 'in', [...ids])
    .where(heldBy(workerId))
    .execute();
}

export async function failDelivery(
  store: Store,
  id: string,
  workerId: string,
  failure: { error: string; retryAt: number | null },
): Promise<boolean> {
  const result = await store.db
    .updateTable('deliveries')
    .set({
      status: failure.retryAt === null ? 'dead' : 'failed',
      error: failure.error,
      next_attempt_at: failure.retryAt ?? undefined,
      lease_expires_at: null,
    })
    .where('id', '=', id)
    .where(heldBy(workerId))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Renews the lease on deliveries `ids`, those of them `workerId` still holds; returns how many. */
export async function extendLeases(
  store: Store,
  workerId: string,
  ids: readonly string[],
  leaseExpiresAt: number,
): Promise<number> {
  let renewed = 0;
  // Thousands may wait in memory: statements of a bounded number of parameters.
  for (let start = 0; start < ids.length; start += LEASE_BATCH) {
    const result = await store.db
      .updateTable('deliveries')
      .set({ lease_expires_at: leaseExpiresAt })
      .where('id', 'in', ids.slice(start, start + LEASE_BATCH))
      .where(heldBy(workerId))
      .executeTakeFirst();
    renewed += Number(result.numUpdatedRows);
  }
  return renewed;
}

const LEASE_BATCH = 1_000;

/** Hands unfinished claims back to the queue (graceful shutdown), without counting an attempt. */
export async function releaseClaims(store: Store, workerId: string, now: number): Promise<number> {
  const result = await store.db
    .updateTable('deliveries')
    .set({
      status: 'queued',
      // A delivery that waited here never counted one.
      attempts: sql<number>`case when attempts > 0 then attempts - 1 else 0 end`,
      claimed_by: null,
      lease_expires_at: null,
      next_attempt_at: now,
    })
    .where(heldBy(workerId))
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
