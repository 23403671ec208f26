/**
 * Which work may take one of a worker's slots. Two rules:
 * - fairness: with more than one slot, one installation may hold at most all but one of them,
 *   so work hung on one installation's GitHub never stops everyone else's (deliveries without an
 *   installation are not limited);
 * - ordering: one delivery per concurrency key at a time. A key stays taken until its delivery's
 *   outcome is written, so the next one of the key never finds it still running in the store.
 */
export interface SlotWork {
  installationId: number | null;
  key: string | null;
}

export interface SlotBook {
  /** Work starts: it takes a slot and its key. */
  take(work: SlotWork): void;
  /** Its handler returned: the slot is free. */
  freeSlot(work: SlotWork): void;
  /** Its outcome is written: the key is free. */
  freeKey(work: SlotWork): void;
  /** A delivery of this key runs, or its outcome is being written. */
  hasKey(key: string): boolean;
  /** Installations that may not take another slot now. */
  listSaturated(): number[];
  /** This installation may not take another slot now. */
  isSaturated(installationId: number | null): boolean;
  /** How many deliveries one claim may take with `free` slots, so none of them exceeds its share. */
  computeClaimLimit(free: number): number;
  /** The index of the first waiting work that may start now, or -1. Keeps each key's order. */
  findRunnable(waiting: readonly SlotWork[]): number;
}

export function createSlotBook(concurrency: number): SlotBook {
  const perInstallation = concurrency > 1 ? concurrency - 1 : concurrency;
  const slotsOf = new Map<number, number>();
  const keys = new Set<string>();
  const isSaturated = (installationId: number | null) =>
    installationId !== null && (slotsOf.get(installationId) ?? 0) >= perInstallation;

  return {
    take({ installationId, key }) {
      if (installationId !== null) slotsOf.set(installationId, (slotsOf.get(installationId) ?? 0) + 1);
      if (key !== null) keys.add(key);
    },
    freeSlot({ installationId }) {
      if (installationId === null) return;
      const slots = (slotsOf.get(installationId) ?? 1) - 1;
      if (slots > 0) slotsOf.set(installationId, slots);
      else slotsOf.delete(installationId);
    },
    freeKey({ key }) {
      if (key !== null) keys.delete(key);
    },
    hasKey: (key) => keys.has(key),
    isSaturated,
    listSaturated() {
      return [...slotsOf.keys()].filter(isSaturated);
    },
    computeClaimLimit(free) {
      const busiest = Math.max(0, ...[...slotsOf.values()].filter((slots) => slots < perInstallation));
      return Math.max(0, Math.min(free, perInstallation - busiest));
    },
    findRunnable(waiting) {
      const blocked = new Set(keys);
      for (const [index, work] of waiting.entries()) {
        if (work.key !== null && blocked.has(work.key)) continue;
        if (!isSaturated(work.installationId)) return index;
        if (work.key !== null) blocked.add(work.key);
      }
      return -1;
    },
  };
}
