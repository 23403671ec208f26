/**
 * Deliveries the receiver hands over to this process's worker: stored already claimed by it,
 * they wait here for a free slot and run from the payload the receiver parsed (no claim query,
 * no payload read, no second JSON.parse). At most `limit` wait at once; the rest are stored
 * queued. Once a delivery of a key held here has gone to the store, the key's later deliveries
 * go there too, behind it, until the worker has claimed that key's backlog.
 */
import { readFacts } from './delivery-facts.js';
import type { SlotBook } from './slots.js';
import type { LocalClaim, Work } from './worker-types.js';

export interface HandoffOptions {
  workerId: string;
  leaseMs: number;
  /** The most deliveries waiting here or being stored under our claim at once. */
  limit: number;
  now: () => number;
  /** A key is taken by a delivery running here or being marked done. */
  isKeyTaken: (key: string) => boolean;
  /** A delivery now waits here, or a reservation was given back. */
  onChange: () => void;
}

export interface Handoff {
  /** A claim for a delivery of `key` about to be stored, or undefined when it goes to the store queued. */
  reserve(key: string | null): LocalClaim | undefined;
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

export function createHandoff({ workerId, leaseMs, limit, now, isKeyTaken, onChange }: HandoffOptions): Handoff {
  const waiting: Work[] = [];
  // Being stored under our claim right now: their lease is renewed before they are handed over.
  const storing = new Set<string>();
  const reservedKeys = new Map<string | null, number>();
  let reserved = 0;
  const settledWaiters: (() => void)[] = [];
  // Keys whose later deliveries went to the store while the key was held here.
  const backlogged = new Set<string>();

  const isHere = (key: string) =>
    isKeyTaken(key) || (reservedKeys.get(key) ?? 0) > 0 || waiting.some((work) => work.key === key);

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
    reserve(key) {
      if (key !== null && backlogged.has(key)) return undefined;
      if (waiting.length + reserved >= limit) {
        waitsBehind(key);
        return undefined;
      }
      countReserved(key, 1);
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
          waiting.push({
            id,
            event,
            attempts: 0,
            installationId,
            key: concurrencyKey,
            handedOver: true,
            payload: () => payload,
          });
          onChange();
        },
        cancel() {
          settle();
          onChange();
        },
      };
    },
    waitsBehind,
    expectBacklog: (key) => void backlogged.add(key),
    isBacklogged: (key) => backlogged.has(key) && !isHere(key),
    forget: (key) => void backlogged.delete(key),
    takeRunnable(slots) {
      const index = slots.findRunnable(waiting);
      return index < 0 ? undefined : waiting.splice(index, 1)[0];
    },
    listHeldIds: () => [...storing, ...waiting.map((work) => work.id)],
    isEmpty: () => waiting.length === 0 && reserved === 0,
    settled: () => new Promise<void>((resolve) => (reserved === 0 ? resolve() : settledWaiters.push(resolve))),
    drop() {
      waiting.length = 0;
      backlogged.clear();
    },
  };
}
