/**
 * What the worker writes about a run, each write fenced by its claim: the start of a delivery the
 * receiver handed over, the processed mark, a failure with its retry or dead letter. Starts and
 * processed marks of the same turn share one statement each (group commit).
 */
import type { Logger } from 'pino';
import type { KeelMetrics } from '../metrics.js';
import type { Store } from '../store/database.js';
import { computeBackoff, type BackoffOptions } from './backoff.js';
import { completeDeliveries, failDelivery, startDeliveries, yieldDeliveries } from './claims.js';
import { describeFailure, isPermanentFailure } from './failure.js';
import { createGroupCommit } from './group-commit.js';
import type { Work } from './worker-types.js';

export interface OutcomeOptions {
  store: Store;
  workerId: string;
  leaseMs: number;
  maxAttempts: number;
  backoff: BackoffOptions | undefined;
  scrub: (text: string) => string;
  log: Logger;
  metrics: KeelMetrics | undefined;
  now: () => number;
}

export interface Outcomes {
  /**
   * Starts a handed-over delivery: counts its attempt, only if this process still holds it (its
   * lease may have lapsed while it waited, and another process taken it over) and its key is free.
   * A busy key sends it back to the queue (`requeued`), to be claimed in turn.
   */
  start(work: Work): Promise<'started' | 'requeued' | 'lost'>;
  /** Marks a handled delivery processed; rejects when that could not be recorded. */
  markProcessed(work: Work): Promise<void>;
  /** Records a failure: a retry with backoff, or a dead letter once permanent or out of attempts. */
  recordFailure(work: Work, error: unknown): Promise<void>;
  /** A delivery whose runs kept dying with their process (lease expired): a dead letter. */
  giveUp(work: Work): Promise<void>;
}

export function createOutcomes(options: OutcomeOptions): Outcomes {
  const { store, workerId, leaseMs, maxAttempts, backoff, scrub, log, metrics, now } = options;
  const completions = createGroupCommit<string, void>({
    commit: async (ids) => {
      await completeDeliveries(store, ids, workerId, now());
      return ids.map(() => undefined);
    },
  });
  const starts = createGroupCommit<string, number | undefined>({
    commit: async (ids) => {
      const attempts = await startDeliveries(store, ids, { workerId, leaseMs, now: now() });
      return ids.map((id) => attempts.get(id));
    },
  });

  return {
    async start(work) {
      const attempts = await starts.submit(work.id);
      if (attempts !== undefined) {
        work.attempts = attempts;
        return 'started';
      }
      const requeued = await yieldDeliveries(store, [work.id], workerId, now());
      if (requeued.length > 0) {
        log.debug({ delivery: work.id, key: work.key }, 'Key busy; delivery back in the queue');
        return 'requeued';
      }
      log.warn({ delivery: work.id }, 'Delivery taken over by another process before it started; not run here');
      return 'lost';
    },
    async markProcessed(work) {
      await completions.submit(work.id);
      metrics?.deliveriesProcessed.inc({ event: work.event, outcome: 'processed' });
    },
    async recordFailure(work, error) {
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
    },
    async giveUp(work) {
      await failDelivery(store, work.id, workerId, {
        error: `Gave up after ${maxAttempts} attempts: the process handling it stopped before finishing (lease expired).`,
        retryAt: null,
      });
      metrics?.deliveriesProcessed.inc({ event: work.event, outcome: 'dead' });
    },
  };
}
