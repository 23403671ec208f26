/**
 * The inbox keeps what it acknowledged until it is done with it, not forever: once an hour,
 * deliveries processed or ignored more than the retention period ago are deleted. GitHub itself
 * keeps deliveries for three days, so the default of 14 days leaves room to investigate.
 */
import type { Logger } from 'pino';
import type { Store } from '../store/database.js';
import { deleteDeliveriesBefore } from './deliveries.js';

export interface DeliveryRetentionOptions {
  store: Store;
  log: Logger;
  retentionDays: number;
  everyMs?: number;
  now?: () => number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Starts the hourly clean-up (first run right away); returns a function that stops it. */
export function startDeliveryRetention({
  store,
  log,
  retentionDays,
  everyMs = 60 * 60 * 1000,
  now = Date.now,
}: DeliveryRetentionOptions): () => Promise<void> {
  let running: Promise<void> = Promise.resolve();
  const sweep = () => {
    running = deleteDeliveriesBefore(store, now() - retentionDays * DAY_MS).then(
      (deleted) => {
        if (deleted > 0) log.info({ deleted, retentionDays }, 'Deleted deliveries past their retention');
      },
      (error: unknown) => log.warn({ err: error }, 'Could not delete old deliveries; trying again next hour'),
    );
  };
  sweep();
  const timer = setInterval(sweep, everyMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
