/** What the inbox worker offers and needs (its implementation: worker.ts). */
import type { Logger } from 'pino';
import type { KeelMetrics } from '../metrics.js';
import type { Store } from '../store/database.js';
import type { BackoffOptions } from './backoff.js';
import type { DeliveryClaim } from './deliveries.js';

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
  /** The most deliveries the receiver may hand over to wait here for a free slot (no limit by default). */
  handoffLimit?: number;
  /**
   * The most payload bytes (as received) handed over and waiting here at once; past it, deliveries
   * are stored queued and claimed from the store. 32 MiB by default.
   */
  handoffBytes?: number;
  /** The most deliveries of one concurrency key handed over and waiting here at once (64 by default). */
  handoffPerKey?: number;
  backoff?: BackoffOptions;
  now?: () => number;
}

/**
 * A delivery the receiver stores already claimed by this process, so the worker runs it from
 * memory: no claim query, no payload read, no second JSON.parse. Deliveries the worker has no
 * room for are stored queued and claimed from the store as before.
 */
export interface LocalClaim extends DeliveryClaim {
  /** The delivery is stored under this claim: run it with the payload the receiver parsed. */
  run(delivery: { id: string; event: string; payload: unknown }): void;
  /** It was not stored under this claim (a duplicate, or the store failed): give the place back. */
  cancel(): void;
}

/** One run of a delivery: the row's facts and a way to get its payload. */
export interface Work {
  id: string;
  event: string;
  attempts: number;
  installationId: number | null;
  key: string | null;
  /** Handed over by the receiver: not started yet, its attempt still to count. */
  handedOver: boolean;
  payload: () => unknown;
}

export interface InboxWorker {
  readonly workerId: string;
  start(): void;
  /**
   * A delivery was just stored queued (or put back in the queue): claim it now instead of at the
   * next poll; with its concurrency key, as soon as that key is free here.
   */
  notify(key?: string | null): void;
  /**
   * A claim for a delivery of concurrency key `key` and `bytes` of payload about to be stored, or
   * undefined when it should be stored queued.
   */
  reserve(key?: string | null, bytes?: number): LocalClaim | undefined;
  /** Stops claiming, waits up to `graceMs` for running deliveries, then releases the rest. */
  stop(graceMs?: number): Promise<void>;
  /** Resolves once nothing is claimable and nothing runs; for tests and benchmarks. */
  idle(): Promise<void>;
}
