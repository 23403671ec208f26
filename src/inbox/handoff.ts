/**
 * Deliveries the receiver hands over to this process's worker: stored already claimed by it,
 * they wait here for a free slot and run from the payload the receiver parsed (no claim query,
 * no payload read, no second JSON.parse). At most `byteBudget` bytes of payloads (as received),
 * `limit` deliveries and `perKey` of one key wait at once; the rest are stored queued and claimed
 * from the store. Once a delivery of a key held here has gone to the store, the key's later
 * deliveries go there too, behind it, until the worker has claimed that key's backlog.
 */
import { readFacts } from './delivery-facts.js';
import type { SlotBook } from './slots.js';
import type { LocalClaim, Work } from './worker-types.js';

export interface HandoffOptions {
  workerId: string;
  leaseMs: number;
  /** The most deliveries waiting here or being stored under our claim at once. */
  limit: number;
  /** The most payload bytes waiting here or being stored under our claim at once. */
  byteBudget: number;
  /** The most deliveries of one concurrency key waiting here or being stored at once. */
  perKey: number;
  now: () => number;
  /** A key is taken by a delivery running here or being marked done. */
  isKeyTaken: (key: string) => boolean;
  /** A delivery now waits here, or a reservation was given back. */
  onChange: () => void;
}

export interface Handoff {
  /** A claim for a delivery of `key` about to be stored, or undefined when it goes to the store queued. */
  reserve(key: string | null, bytes: number): LocalClaim | undefined;
  /** A delivery of `key` went to the store queued: true when it waits behind the key held here. */
  waitsBehind(key: string | null): boolean;
  /** Later deliveries of `key` may wait in the store (it was claimed from there). */
  expectBacklog(key: string): void;
  /** The key is free here: true when its next deliveries may wait in the store, to claim now. */
  isBacklogged(key: string): boolean;
  /** The store holds no more deliveries of this key that may run now. */
  forget(key: string): void;
  /** The first waiting delivery that may take a slot now. */
  takeRunnable(slots: SlotBook): Work | undefined;
  /** Ids stored under our claim and not running: being stored, or waiting. */
  listHeldIds(): string[];
  isEmpty(): boolean;
  /** Resolves once no delivery is being stored under our claim. */
  settled(): Promise<void>;
  /** Stops waiting for the deliveries held: they are released with the worker's other claims. */
  drop(): void;
}

export function createHandoff({
  workerId,
  leaseMs,
  limit,
  byteBudget,
  perKey,
  now,
  isKeyTaken,
  onChange,
}: HandoffOptions): Handoff {
  const waiting: Work[] = [];
  // The payload bytes of each waiting delivery, and how many wait per key (a lookup per reserve).
  const waitingBytes = new Map<Work, number>();
  const waitingKeys = new Map<string, number>();
  let waitingKeyless = 0;
  // How many wait per installation: when every one of them is saturated, nothing waiting may run,
  // known without walking the queue (a burst from one installation fills it).
  const waitingInstallations = new Map<number | null, number>();
  // Bytes reserved or waiting.
  let heldBytes = 0;
  // Being stored under our claim right now: their lease is renewed before they are handed over.
  const storing = new Set<string>();
  const reservedKeys = new Map<string | null, number>();
  let reserved = 0;
  const settledWaiters: (() => void)[] = [];
  // Keys whose later deliveries went to the store while the key was held here.
  const backlogged = new Set<string>();

  const isHere = (key: string) => isKeyTaken(key) || reservedKeys.has(key) || waitingKeys.has(key);

  function count<K>(counts: Map<K, number>, key: K, change: 1 | -1): void {
    const total = (counts.get(key) ?? 0) + change;
    if (total > 0) counts.set(key, total);
    else counts.delete(key);
  }

  function countWaiting(work: Work, change: 1 | -1): void {
    if (work.key !== null) count(waitingKeys, work.key, change);
    else waitingKeyless += change;
    count(waitingInstallations, work.installationId, change);
  }

  function countReserved(key: string | null, change: 1 | -1): void {
    reserved += change;
    const count = (reservedKeys.get(key) ?? 0) + change;
    if (count > 0) reservedKeys.set(key, count);
    else reservedKeys.delete(key);
  }

  function waitsBehind(key: string | null): boolean {
    if (key === null || !isHere(key)) return false;
    backlogged.add(key);
    return true;
  }

  return {
    reserve(key, bytes) {
      if (key !== null && backlogged.has(key)) return undefined;
      // One delivery larger than the budget may still wait here alone. A key with `perKey` waiting
      // sends its later deliveries to the store: a burst on one key would hold the budget for
      // deliveries that can only run one at a time.
      const full =
        waiting.length + reserved >= limit ||
        (heldBytes > 0 && heldBytes + bytes > byteBudget) ||
        (key !== null && (waitingKeys.get(key) ?? 0) + (reservedKeys.get(key) ?? 0) >= perKey);
      if (full) {
        waitsBehind(key);
        return undefined;
      }
      countReserved(key, 1);
      heldBytes += bytes;
      let settled = false;
      let storingId: string | undefined;
      const settle = () => {
        if (settled) throw new Error('A local claim is settled once.');
        settled = true;
        countReserved(key, -1);
        if (storingId !== undefined) storing.delete(storingId);
        if (reserved === 0) for (const resolve of settledWaiters.splice(0)) resolve();
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
          const work: Work = {
            id,
            event,
            attempts: 0,
            installationId,
            key: concurrencyKey,
            handedOver: true,
            payload: () => payload,
          };
          waiting.push(work);
          waitingBytes.set(work, bytes);
          countWaiting(work, 1);
          onChange();
        },
        cancel() {
          settle();
          heldBytes -= bytes;
          onChange();
        },
      };
    },
    waitsBehind,
    expectBacklog: (key) => void backlogged.add(key),
    isBacklogged: (key) => backlogged.has(key) && !isHere(key),
    forget: (key) => void backlogged.delete(key),
    takeRunnable(slots) {
      // Known without walking the queue: nothing may start while every installation with waiting
      // deliveries is saturated, or every waiting delivery's key is taken (a burst on one key).
      const keyFree = waitingKeyless > 0 || [...waitingKeys.keys()].some((key) => !isKeyTaken(key));
      if (!keyFree || ![...waitingInstallations.keys()].some((installationId) => !slots.isSaturated(installationId))) {
        return undefined;
      }
      const index = slots.findRunnable(waiting);
      if (index < 0) return undefined;
      const [work] = waiting.splice(index, 1);
      if (work === undefined) return undefined;
      heldBytes -= waitingBytes.get(work) ?? 0;
      waitingBytes.delete(work);
      countWaiting(work, -1);
      return work;
    },
    listHeldIds: () => [...storing, ...waiting.map((work) => work.id)],
    isEmpty: () => waiting.length === 0 && reserved === 0,
    settled: () => new Promise<void>((resolve) => (reserved === 0 ? resolve() : settledWaiters.push(resolve))),
    drop() {
      for (const work of waiting) heldBytes -= waitingBytes.get(work) ?? 0;
      waiting.length = 0;
      waitingBytes.clear();
      waitingKeys.clear();
      waitingKeyless = 0;
      waitingInstallations.clear();
      backlogged.clear();
    },
  };
}
