/**
 * Workers claim stored deliveries and hand them to Probot. A claim is a lease, renewed while the
 * handler runs; a process that dies leaves leases that expire, and any worker then takes the
 * delivery over. Failures retry with backoff and end as dead letters that keep their last error.
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { computeBackoff } from './backoff.js';
import {
  claimDeliveries,
  completeDeliveries,
  extendLeases,
  failDelivery,
  releaseClaims,
  startDeliveries,
  yieldDeliveries,
} from './claims.js';
import { readPayloads, type DeliveryRow, type StoredPayload } from './deliveries.js';
import { readFacts } from './delivery-facts.js';
import { describeFailure, isPermanentFailure } from './failure.js';
import { createGroupCommit } from './group-commit.js';
import { decodePayload } from './payload-codec.js';
import { createSlotBook } from './slots.js';
import type { InboxWorker, InboxWorkerOptions } from './worker-types.js';

export type { DispatchedDelivery, InboxWorker, InboxWorkerOptions, LocalClaim } from './worker-types.js';

/** What one run needs: the row's facts and a way to get its payload. */
interface Work {
  id: string;
  event: string;
  attempts: number;
  installationId: number | null;
  key: string | null;
  /** Handed over by the receiver: not started yet, its attempt still to count. */
  handedOver: boolean;
  payload: () => unknown;
}

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
    handoffLimit = 64,
    backoff,
    now = Date.now,
  } = options;

  const running = new Map<string, Promise<void>>();
  // Handled, with the write that marks them processed still to commit.
  const completing = new Map<string, Promise<void>>();
  // Handed over by the receiver and stored under our claim, waiting for a free slot.
  const held: Work[] = [];
  // Being stored under our claim right now: their lease is renewed before they are handed over.
  const storing = new Set<string>();
  let reserved = 0;
  const slots = createSlotBook(concurrency);
  // Deliveries finished in the same turn are marked processed by one statement.
  const completions = createGroupCommit<string, void>({
    commit: async (ids) => {
      await completeDeliveries(store, ids, workerId, now());
      return ids.map(() => undefined);
    },
  });
  // Handed-over deliveries starting in the same turn are fenced and counted by one statement.
  const starts = createGroupCommit<string, number | undefined>({
    commit: async (ids) => {
      const attempts = await startDeliveries(store, ids, { workerId, leaseMs, now: now() });
      return ids.map((id) => attempts.get(id));
    },
  });
  let started = false;
  let stopping = false;
  let pumping = false;
  let pumpAgain = false;
  let storeAskedAt = Number.NEGATIVE_INFINITY;
  let pollTimer: NodeJS.Timeout | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  let idleWaiters: (() => void)[] = [];
  const reservationWaiters: (() => void)[] = [];

  const isIdle = () => running.size === 0 && held.length === 0 && reserved === 0 && completing.size === 0;

  function settleIdleWaiters(): void {
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  // One statement renews the lease on everything this process holds: being stored, waiting,
  // running or completing. A row it lost track of (its bookkeeping failed) is left to expire.
  function renewLeases(): void {
    const ids = [...storing, ...running.keys(), ...held.map((work) => work.id), ...completing.keys()];
    if (ids.length === 0) return;
    extendLeases(store, workerId, ids, now() + leaseMs).catch((error: unknown) =>
      log.warn({ err: error }, 'Could not renew the leases on claimed deliveries'),
    );
  }

  async function recordFailure(work: Work, error: unknown): Promise<void> {
    const permanent = isPermanentFailure(error);
    const exhausted = work.attempts >= maxAttempts;
    const retryAt = permanent || exhausted ? null : now() + computeBackoff(work.attempts, backoff);
    const message = scrub(describeFailure(error));
    await failDelivery(store, work.id, workerId, { error: message, retryAt });
    metrics?.deliveriesProcessed.inc({ event: work.event, outcome: retryAt === null ? 'dead' : 'failed' });
    log.warn(
      { delivery: work.id, event: work.event, attempts: work.attempts, retryAt, permanent },
      `Delivery failed: ${message}`,
    );
  }

  const bookkeepingFailed = (work: Work) => (error: unknown) =>
    log.error({ err: error, delivery: work.id }, 'Inbox bookkeeping failed');

  /**
   * Marks a handled delivery processed. Its slot is free already: the write joins the next group
   * commit instead of holding the slot for a turn of the event loop. Its key is held until then.
   */
  function complete(work: Work): void {
    const writing = completions
      .submit(work.id)
      .then(
        () => metrics?.deliveriesProcessed.inc({ event: work.event, outcome: 'processed' }),
        // Not recorded as processed: run it again later (handlers are idempotent).
        (error: unknown) => recordFailure(work, error),
      )
      .catch(bookkeepingFailed(work))
      .finally(() => {
        completing.delete(work.id);
        slots.freeKey(work);
        // Idle here is not idle yet: the store may hold more. Pump, which reports idle if not; and
        // the next delivery of the key, here or in the store, may start now.
        if (isIdle() || work.key !== null) void pump();
      });
    completing.set(work.id, writing);
  }

  /**
   * A handed-over delivery starts only if this process still holds it (its lease may have
   * lapsed while it waited, and another process taken it over) and its key is free; a busy key
   * sends it back to the queue, to be claimed in turn.
   */
  async function startHandedOver(work: Work): Promise<boolean> {
    const attempts = await starts.submit(work.id);
    if (attempts !== undefined) {
      work.attempts = attempts;
      return true;
    }
    const requeued = await yieldDeliveries(store, [work.id], workerId, now());
    if (requeued.length > 0) log.debug({ delivery: work.id, key: work.key }, 'Key busy; delivery back in the queue');
    else log.warn({ delivery: work.id }, 'Delivery taken over by another process before it started; not run here');
    return false;
  }

  async function processDelivery(work: Work): Promise<void> {
    if (work.handedOver && !(await startHandedOver(work))) return;
    const startedAt = performance.now();
    try {
      if (work.attempts > maxAttempts) {
        await failDelivery(store, work.id, workerId, {
          error: `Gave up after ${maxAttempts} attempts: the process handling it stopped before finishing (lease expired).`,
          retryAt: null,
        });
        metrics?.deliveriesProcessed.inc({ event: work.event, outcome: 'dead' });
        return;
      }
      await dispatch({ id: work.id, name: work.event, payload: work.payload() });
      complete(work);
    } catch (error) {
      await recordFailure(work, error);
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
        if (!completing.has(work.id)) slots.freeKey(work);
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

  function takeRunnableHeld(): Work | undefined {
    const index = slots.findRunnable(held);
    return index < 0 ? undefined : held.splice(index, 1)[0];
  }

  async function claimFromStore(): Promise<number> {
    storeAskedAt = now();
    const rows = await claimDeliveries(store, {
      workerId,
      limit: slots.computeClaimLimit(concurrency - running.size),
      leaseMs,
      now: storeAskedAt,
      excludeInstallations: slots.listSaturated(),
    });
    if (rows.length === 0) return 0;
    const payloads = await readPayloads(
      store,
      rows.map((row) => row.seq),
    );
    for (const row of rows) {
      // Our own lease lapsed while the run goes on (a stalled event loop): the claim just
      // renewed it, and the run under way finishes the delivery. Never start a second one.
      if (!running.has(row.id) && !completing.has(row.id)) run(fromStore(row, payloads.get(row.seq)));
    }
    return rows.length;
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
          // Deliveries handed over come first, but the store gets a turn at least once a poll
          // interval, so a steady stream of new deliveries cannot starve retries and overflow.
          const storeDue = held.length === 0 || now() - storeAskedAt >= pollMs;
          const next = storeDue ? undefined : takeRunnableHeld();
          if (next) {
            run(next);
            continue;
          }
          if ((await claimFromStore()) > 0) continue;
          const waiting = takeRunnableHeld();
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
    notify() {
      if (started && !stopping) void pump();
    },
    reserve() {
      if (!started || stopping || concurrency === 0 || held.length + reserved >= handoffLimit) return undefined;
      reserved += 1;
      let settled = false;
      let storingId: string | undefined;
      const settle = () => {
        if (settled) throw new Error('A local claim is settled once.');
        settled = true;
        reserved -= 1;
        if (storingId !== undefined) storing.delete(storingId);
        if (reserved === 0) for (const resolve of reservationWaiters.splice(0)) resolve();
      };
      return {
        claimedBy: workerId,
        leaseExpiry(id) {
          storingId = id;
          storing.add(id);
          return now() + leaseMs;
        },
        run({ id, event, payload }) {
          settle();
          const { installationId, concurrencyKey } = readFacts(event, payload);
          held.push({
            id,
            event,
            attempts: 0,
            installationId,
            key: concurrencyKey,
            handedOver: true,
            payload: () => payload,
          });
          void pump();
        },
        cancel() {
          settle();
          if (isIdle()) void pump();
        },
      };
    },
    async stop(graceMs = 10_000) {
      stopping = true;
      if (pollTimer) clearTimeout(pollTimer);
      const grace = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
      // Deliveries being stored under our claim right now are waited for, so the release covers them.
      const reservationsSettled = new Promise<void>((resolve) =>
        reserved === 0 ? resolve() : reservationWaiters.push(resolve),
      );
      await Promise.race([reservationsSettled, grace]);
      // Deliveries still waiting here are released below with the rest of our claims.
      held.length = 0;
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
        return pump().then(() => (isIdle() ? undefined : new Promise<void>((resolve) => idleWaiters.push(resolve))));
      }
      return new Promise<void>((resolve) => idleWaiters.push(resolve));
    },
  };
}
