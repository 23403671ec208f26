/**
 * Workers claim stored deliveries and hand them to Probot. A claim is a lease, renewed while the
 * handler runs; a process that dies leaves leases that expire, and any worker then takes the
 * delivery over. Failures retry with backoff and end as dead letters that keep their last error.
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { claimDeliveries, claimNextOfKey, extendLeases, releaseClaims, type ClaimedRow } from './claims.js';
import { readPayloads, type DeliveryRow, type StoredPayload } from './deliveries.js';
import { createHandoff } from './handoff.js';
import { createOutcomes } from './outcomes.js';
import { decodePayload } from './payload-codec.js';
import { createSlotBook } from './slots.js';
import type { InboxWorker, InboxWorkerOptions, Work } from './worker-types.js';

export type { DispatchedDelivery, InboxWorker, InboxWorkerOptions, LocalClaim } from './worker-types.js';

/** Payload bytes the receiver may hand over to wait here at once, unless configured otherwise. */
export const HANDOFF_BYTES = 32 * 1024 * 1024;

export function createInboxWorker(options: InboxWorkerOptions): InboxWorker {
  const {
    store,
    dispatch,
    log,
    metrics,
    scrub = (text) => text,
    workerId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    concurrency = 4,
    leaseMs = 60_000,
    pollMs = 1_000,
    maxAttempts = 5,
    handoffLimit = Number.POSITIVE_INFINITY,
    handoffBytes = HANDOFF_BYTES,
    handoffPerKey = 64,
    backoff,
    now = Date.now,
  } = options;

  const running = new Map<string, Promise<void>>();
  // Handled, with the write that marks them processed still to commit.
  const completing = new Map<string, Promise<void>>();
  const slots = createSlotBook(concurrency);
  const handoff = createHandoff({
    workerId,
    leaseMs,
    limit: handoffLimit,
    byteBudget: handoffBytes,
    perKey: handoffPerKey,
    now,
    isKeyTaken: (key) => slots.hasKey(key),
    onChange: () => void pump(),
  });
  // Keys freed here whose next deliveries may wait in the store: claimed by key, one seek each.
  const keysToClaim = new Set<string>();
  const outcomes = createOutcomes({
    store,
    workerId,
    leaseMs,
    maxAttempts,
    backoff,
    scrub,
    log,
    metrics,
    now,
  });
  let started = false;
  let stopping = false;
  let pumping = false;
  let pumpAgain = false;
  // The store may hold deliveries to claim that no one here knows of (at start, after a notify).
  let storeDirty = true;
  let storeAskedAt = Number.NEGATIVE_INFINITY;
  // Installations a claim passed over for want of a slot: the store may hold deliveries of theirs,
  // worth asking for once one of their slots is free (asking before would find none of them).
  const passedOver = new Set<number>();
  let pollTimer: NodeJS.Timeout | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  let idleWaiters: (() => void)[] = [];

  const isIdle = () => running.size === 0 && handoff.isEmpty() && completing.size === 0 && keysToClaim.size === 0;

  function settleIdleWaiters(): void {
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  // One statement renews the lease on everything this process holds: being stored, waiting,
  // running or completing. A row it lost track of (its bookkeeping failed) is left to expire.
  function renewLeases(): void {
    const ids = [...handoff.listHeldIds(), ...running.keys(), ...completing.keys()];
    if (ids.length === 0) return;
    extendLeases(store, workerId, ids, now() + leaseMs).catch((error: unknown) =>
      log.warn({ err: error }, 'Could not renew the leases on claimed deliveries'),
    );
  }

  const bookkeepingFailed = (work: Work) => (error: unknown) =>
    log.error({ err: error, delivery: work.id }, 'Inbox bookkeeping failed');

  /**
   * The delivery's outcome is written: the next of its key may start, from here or, when the key
   * has a backlog in the store, claimed by key.
   */
  function releaseKey(work: Work): void {
    slots.freeKey(work);
    if (work.key !== null && handoff.isBacklogged(work.key)) keysToClaim.add(work.key);
  }

  /**
   * Marks a handled delivery processed. Its slot is free already: the write joins the next group
   * commit instead of holding the slot for a turn of the event loop. Its key is held until then.
   */
  function complete(work: Work): void {
    const writing = outcomes
      .markProcessed(work)
      // Not recorded as processed: run it again later (handlers are idempotent).
      .catch((error: unknown) => outcomes.recordFailure(work, error))
      .catch(bookkeepingFailed(work))
      .finally(() => {
        completing.delete(work.id);
        releaseKey(work);
        // Idle here is not idle yet: the store may hold more. Pump, which reports idle if not; and
        // the next delivery of the key, here or in the store, may start now.
        if (isIdle() || work.key !== null) void pump();
      });
    completing.set(work.id, writing);
  }

  /** A handed-over delivery sent back to the queue waits there for its key, here or elsewhere. */
  async function startHandedOver(work: Work): Promise<boolean> {
    const outcome = await outcomes.start(work);
    if (outcome === 'requeued' && !handoff.waitsBehind(work.key)) storeDirty = true;
    return outcome === 'started';
  }

  async function processDelivery(work: Work): Promise<void> {
    if (work.handedOver && !(await startHandedOver(work))) return;
    const startedAt = performance.now();
    try {
      if (work.attempts > maxAttempts) return await outcomes.giveUp(work);
      await dispatch({ id: work.id, name: work.event, payload: work.payload() });
      complete(work);
    } catch (error) {
      await outcomes.recordFailure(work, error);
    } finally {
      metrics?.processingSeconds.observe({ event: work.event }, (performance.now() - startedAt) / 1000);
    }
  }

  function run(work: Work): void {
    slots.take(work);
    const job = processDelivery(work)
      .catch(bookkeepingFailed(work))
      .finally(() => {
        running.delete(work.id);
        slots.freeSlot(work);
        if (!completing.has(work.id)) releaseKey(work);
        void pump();
      });
    running.set(work.id, job);
  }

  function fromStore(row: DeliveryRow, stored: StoredPayload | undefined): Work {
    return {
      id: row.id,
      event: row.event,
      attempts: row.attempts,
      installationId: row.installation_id === null ? null : Number(row.installation_id),
      key: row.concurrency_key,
      handedOver: false,
      payload: () => {
        if (stored === undefined) throw new SyntaxError('The stored payload of this delivery is missing.');
        return decodePayload(stored);
      },
    };
  }

  /** Runs deliveries claimed from the store, with their payloads read in one query. */
  async function runClaimed(rows: ClaimedRow[]): Promise<void> {
    const payloads = await readPayloads(
      store,
      rows.map((row) => row.seq),
    );
    for (const row of rows) {
      // Later deliveries of its key wait in the store: claim the next as it finishes.
      if (row.concurrency_key !== null && row.has_backlog) handoff.expectBacklog(row.concurrency_key);
      // Our own lease lapsed while the run goes on (a stalled event loop): the claim just
      // renewed it, and the run under way finishes the delivery. Never start a second one.
      if (!running.has(row.id) && !completing.has(row.id)) run(fromStore(row, payloads.get(row.seq)));
    }
  }

  /**
   * After a claim that left out `excluded` installations: those asked for are no longer passed
   * over; those left out are, when the store may hold deliveries of theirs (`mayHold`: the claim
   * was made for anyone's, not only for theirs). Asked again once one of them has a free slot.
   */
  function notePassedOver(excluded: readonly number[], mayHold: boolean): void {
    for (const installationId of passedOver) if (!excluded.includes(installationId)) passedOver.delete(installationId);
    if (mayHold) for (const installationId of excluded) passedOver.add(installationId);
  }

  /** An installation passed over by a claim has a free slot now, and nothing here took it first. */
  const isPassedOverFree = () => [...passedOver].some((installationId) => !slots.isSaturated(installationId));

  async function claimFromStore(): Promise<number> {
    const limit = slots.computeClaimLimit(concurrency - running.size);
    // Every slot left is one an installation may not take: ask again once one is free.
    if (limit === 0) return 0;
    const general = storeDirty || now() - storeAskedAt >= pollMs;
    storeAskedAt = now();
    storeDirty = false;
    const excludeInstallations = slots.listSaturated();
    const rows = await claimDeliveries(store, { workerId, limit, leaseMs, now: storeAskedAt, excludeInstallations });
    // A full claim may have left more behind; one that passed over installations left theirs.
    if (rows.length === limit) storeDirty = true;
    notePassedOver(excludeInstallations, general);
    if (rows.length > 0) await runClaimed(rows);
    return rows.length;
  }

  /** The next delivery of `key`, now free here, if one is queued and may run. */
  async function claimKey(key: string): Promise<void> {
    keysToClaim.delete(key);
    const excludeInstallations = slots.listSaturated();
    const row = await claimNextOfKey(store, key, { workerId, leaseMs, now: now(), excludeInstallations });
    if (row) return runClaimed([row]);
    handoff.forget(key);
    // Its installation may have had no slot to spare: claimed from the store once one is free.
    for (const installationId of excludeInstallations) passedOver.add(installationId);
  }

  async function pump(): Promise<void> {
    if (pumping) {
      pumpAgain = true;
      return;
    }
    pumping = true;
    try {
      do {
        pumpAgain = false;
        while (!stopping && running.size < concurrency) {
          const key = keysToClaim.values().next().value;
          if (key !== undefined) {
            await claimKey(key);
            continue;
          }
          // Deliveries handed over come first, but the store gets a turn at least once a poll
          // interval, so a steady stream of new deliveries cannot starve retries and overflow.
          const pollDue = now() - storeAskedAt >= pollMs;
          const next = pollDue ? undefined : handoff.takeRunnable(slots);
          if (next) {
            run(next);
            continue;
          }
          if ((storeDirty || pollDue || isPassedOverFree()) && (await claimFromStore()) > 0) continue;
          const waiting = handoff.takeRunnable(slots);
          if (!waiting) break;
          run(waiting);
        }
      } while (pumpAgain && !stopping);
    } catch (error) {
      log.error({ err: error }, 'Could not claim deliveries; retrying at the next poll');
    } finally {
      pumping = false;
      if (isIdle() && (!pumpAgain || stopping)) settleIdleWaiters();
    }
  }

  function schedulePoll(): void {
    pollTimer = setTimeout(() => {
      void pump().finally(() => {
        if (!stopping) schedulePoll();
      });
    }, pollMs);
    pollTimer.unref();
  }

  return {
    workerId,
    start() {
      if (started) return;
      started = true;
      void pump();
      schedulePoll();
      heartbeat = setInterval(renewLeases, Math.max(10, Math.floor(leaseMs / 3)));
      heartbeat.unref();
    },
    notify(key = null) {
      if (!started || stopping || handoff.waitsBehind(key)) return;
      storeDirty = true;
      void pump();
    },
    reserve(key = null, bytes = 0) {
      if (!started || stopping || concurrency === 0) return undefined;
      return handoff.reserve(key, bytes);
    },
    async stop(graceMs = 10_000) {
      stopping = true;
      if (pollTimer) clearTimeout(pollTimer);
      const grace = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
      // Deliveries being stored under our claim right now are waited for, so the release covers them.
      await Promise.race([handoff.settled(), grace]);
      // Deliveries still waiting here are released below with the rest of our claims.
      handoff.drop();
      keysToClaim.clear();
      await Promise.race([Promise.allSettled([...running.values()]), grace]);
      // A delivery handled but not yet marked processed must not be released to run again.
      await Promise.allSettled([...completing.values()]);
      if (heartbeat) clearInterval(heartbeat);
      try {
        const released = await releaseClaims(store, workerId, now());
        if (released > 0) log.info({ released }, 'Released unfinished deliveries back to the inbox');
      } catch (error) {
        // Their leases will expire and another worker will take them over.
        log.warn({ err: error }, 'Could not release claimed deliveries on stop');
      }
    },
    idle() {
      if (!pumping && isIdle()) {
        // Something may be due that no one has pumped yet: pump once, then report.
        storeDirty = true;
        return pump().then(() => (isIdle() ? undefined : new Promise<void>((resolve) => idleWaiters.push(resolve))));
      }
      return new Promise<void>((resolve) => idleWaiters.push(resolve));
    },
  };
}
