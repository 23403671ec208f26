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
  extendLease,
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
  backoff?: BackoffOptions;
  now?: () => number;
}

export interface InboxWorker {
  readonly workerId: string;
  start(): void;
  /** Wakes the worker now (a delivery was just stored) instead of at the next poll. */
  notify(): void;
  /** Stops claiming, waits up to `graceMs` for running deliveries, then releases the rest. */
  stop(graceMs?: number): Promise<void>;
  /** Resolves once nothing is claimable and nothing runs; for tests and benchmarks. */
  idle(): Promise<void>;
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
    backoff,
    now = Date.now,
  } = options;

  const running = new Map<string, Promise<void>>();
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
  let pollTimer: NodeJS.Timeout | undefined;
  let idleWaiters: (() => void)[] = [];

  function settleIdleWaiters(): void {
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  async function processDelivery(row: DeliveryRow, payload: StoredPayload | undefined): Promise<void> {
    const startedAt = performance.now();
    const heartbeat = setInterval(
      () => {
        extendLease(store, row.id, workerId, now() + leaseMs).catch((error: unknown) =>
          log.warn({ err: error, delivery: row.id }, 'Could not renew the lease on a delivery'),
        );
      },
      Math.max(10, Math.floor(leaseMs / 3)),
    );
    try {
      if (row.attempts > maxAttempts) {
        await failDelivery(store, row.id, workerId, {
          error: `Gave up after ${maxAttempts} attempts: the process handling it stopped before finishing (lease expired).`,
          retryAt: null,
        });
        metrics?.deliveriesProcessed.inc({ event: row.event, outcome: 'dead' });
        return;
      }
      if (payload === undefined) throw new SyntaxError('The stored payload of this delivery is missing.');
      await dispatch({ id: row.id, name: row.event, payload: decodePayload(payload) });
      await completions.submit(row.id);
      metrics?.deliveriesProcessed.inc({ event: row.event, outcome: 'processed' });
    } catch (error) {
      const permanent = isPermanentFailure(error);
      const exhausted = row.attempts >= maxAttempts;
      const retryAt = permanent || exhausted ? null : now() + computeBackoff(row.attempts, backoff);
      const message = scrub(describeFailure(error));
      await failDelivery(store, row.id, workerId, { error: message, retryAt });
      metrics?.deliveriesProcessed.inc({ event: row.event, outcome: retryAt === null ? 'dead' : 'failed' });
      log.warn(
        { delivery: row.id, event: row.event, attempts: row.attempts, retryAt, permanent },
        `Delivery failed: ${message}`,
      );
    } finally {
      clearInterval(heartbeat);
      metrics?.processingSeconds.observe({ event: row.event }, (performance.now() - startedAt) / 1000);
    }
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
          const rows = await claimDeliveries(store, {
            workerId,
            limit: concurrency - running.size,
            leaseMs,
            now: now(),
          });
          if (rows.length === 0) break;
          const payloads = await readPayloads(
            store,
            rows.map((row) => row.seq),
          );
          for (const row of rows) {
            // Our own lease lapsed while the run goes on (a stalled event loop): the claim just
            // renewed it, and the run under way finishes the delivery. Never start a second one.
            if (running.has(row.id)) continue;
            const job = processDelivery(row, payloads.get(row.seq))
              .catch((error: unknown) => log.error({ err: error, delivery: row.id }, 'Inbox bookkeeping failed'))
              .finally(() => {
                running.delete(row.id);
                void pump();
              });
            running.set(row.id, job);
          }
        }
      } while (pumpAgain && !stopping);
    } catch (error) {
      log.error({ err: error }, 'Could not claim deliveries; retrying at the next poll');
    } finally {
      pumping = false;
      if (running.size === 0 && !pumpAgain) settleIdleWaiters();
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
    },
    notify() {
      if (started && !stopping) void pump();
    },
    async stop(graceMs = 10_000) {
      stopping = true;
      if (pollTimer) clearTimeout(pollTimer);
      const grace = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
      await Promise.race([Promise.allSettled([...running.values()]), grace]);
      try {
        const released = await releaseClaims(store, workerId, now());
        if (released > 0) log.info({ released }, 'Released unfinished deliveries back to the inbox');
      } catch (error) {
        // Their leases will expire and another worker will take them over.
        log.warn({ err: error }, 'Could not release claimed deliveries on stop');
      }
    },
    idle() {
      if (!pumping && running.size === 0) {
        // Something may be due that no one has pumped yet: pump once, then report.
        return pump().then(() =>
          running.size === 0 ? undefined : new Promise<void>((resolve) => idleWaiters.push(resolve)),
        );
      }
      return new Promise<void>((resolve) => idleWaiters.push(resolve));
    },
  };
}
