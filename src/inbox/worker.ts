/**
 * Workers claim stored deliveries and hand them to Probot. A claim is a lease, renewed while the
 * handler runs; a process that dies leaves leases that expire, and any worker then takes the
 * delivery over. Failures retry with backoff and end as dead letters that keep their last error.
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Store } from '../store/database.js';
import type { KeelMetrics } from '../metrics.js';
import { computeBackoff, type BackoffOptions } from './backoff.js';
import {
  claimDeliveries,
  completeDeliveries,
  extendLeases,
  failDelivery,
  readPayloads,
  releaseClaims,
  type DeliveryRow,
  type StoredPayload,
} from './deliveries.js';
import { describeFailure, isPermanentFailure } from './failure.js';
import { createGroupCommit } from './group-commit.js';
import { decodePayload } from './payload-codec.js';

export interface DispatchedDelivery {
  id: string;
  name: string;
  payload: unknown;
}

export interface InboxWorkerOptions {
  store: Store;
  dispatch: (delivery: DispatchedDelivery) => Promise<void>;
  log: Logger;
  metrics?: KeelMetrics;
  /** Cleans error text before it is stored. */
  scrub?: (text: string) => string;
  workerId?: string;
  concurrency?: number;
  leaseMs?: number;
  pollMs?: number;
  maxAttempts?: number;
  /** The most deliveries the receiver may hand over to wait here for a free slot. */
  handoffLimit?: number;
  backoff?: BackoffOptions;
  now?: () => number;
}

/**
 * A delivery the receiver stores already claimed by this process, so the worker runs it from
 * memory: no claim query, no payload read, no second JSON.parse. Deliveries the worker has no
 * room for are stored queued and claimed from the store as before.
 */
export interface LocalClaim {
  claimedBy: string;
  leaseExpiresAt: number;
  /** The delivery is stored under this claim: run it with the payload the receiver parsed. */
  run(delivery: { id: string; event: string; payload: unknown }): void;
  /** It was not stored under this claim (a duplicate, or the store failed): give the place back. */
  cancel(): void;
}

export interface InboxWorker {
  readonly workerId: string;
  start(): void;
  /** Wakes the worker now (a delivery was just stored) instead of at the next poll. */
  notify(): void;
  /** A claim for a delivery about to be stored, or undefined when it should be stored queued. */
  reserve(): LocalClaim | undefined;
  /** Stops claiming, waits up to `graceMs` for running deliveries, then releases the rest. */
  stop(graceMs?: number): Promise<void>;
  /** Resolves once nothing is claimable and nothing runs; for tests and benchmarks. */
  idle(): Promise<void>;
}

/** What one run needs: the row's facts and a way to get its payload. */
interface Work {
  id: string;
  event: string;
  attempts: number;
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
  let reserved = 0;
  // Deliveries finished in the same turn are marked processed by one statement.
  const completions = createGroupCommit<string, void>({
    commit: async (ids) => {
      await completeDeliveries(store, ids, workerId, now());
      return ids.map(() => undefined);
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

  // One statement renews the lease on everything this process holds: waiting, running or
  // completing. A row it lost track of (its bookkeeping failed) is left to expire and run again.
  function renewLeases(): void {
    const ids = [...running.keys(), ...held.map((work) => work.id), ...completing.keys()];
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
   * commit instead of holding the slot for a turn of the event loop.
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
        // Idle here is not idle yet: the store may hold more. Pump, which reports idle if not.
        if (isIdle()) void pump();
      });
    completing.set(work.id, writing);
  }

  async function processDelivery(work: Work): Promise<void> {
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
    const job = processDelivery(work)
      .catch(bookkeepingFailed(work))
      .finally(() => {
        running.delete(work.id);
        void pump();
      });
    running.set(work.id, job);
  }

  function fromStore(row: DeliveryRow, stored: StoredPayload | undefined): Work {
    return {
      id: row.id,
      event: row.event,
      attempts: row.attempts,
      payload: () => {
        if (stored === undefined) throw new SyntaxError('The stored payload of this delivery is missing.');
        return decodePayload(stored);
      },
    };
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
          let rows: DeliveryRow[] = [];
          if (held.length === 0 || now() - storeAskedAt >= pollMs) {
            storeAskedAt = now();
            rows = await claimDeliveries(store, {
              workerId,
              limit: concurrency - running.size,
              leaseMs,
              now: storeAskedAt,
            });
          }
          if (rows.length === 0) {
            const next = held.shift();
            if (!next) break;
            run(next);
            continue;
          }
          const payloads = await readPayloads(
            store,
            rows.map((row) => row.seq),
          );
          for (const row of rows) {
            // Our own lease lapsed while the run goes on (a stalled event loop): the claim just
            // renewed it, and the run under way finishes the delivery. Never start a second one.
            if (!running.has(row.id) && !completing.has(row.id)) run(fromStore(row, payloads.get(row.seq)));
          }
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
      const settle = () => {
        if (settled) throw new Error('A local claim is settled once.');
        settled = true;
        reserved -= 1;
        if (reserved === 0) for (const resolve of reservationWaiters.splice(0)) resolve();
      };
      return {
        claimedBy: workerId,
        leaseExpiresAt: now() + leaseMs,
        run({ id, event, payload }) {
          settle();
          held.push({ id, event, attempts: 1, payload: () => payload });
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
