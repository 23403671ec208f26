/**
 * Group commit for the receiver: deliveries that arrive while a write is in progress are stored
 * together in the next transaction. Under load one commit serves dozens of deliveries (SQLite
 * writes far fewer pages, Postgres fsyncs once), and each caller still hears back only once its
 * own delivery is durable.
 */
import type { Store } from '../store/database.js';
import { insertDeliveries, type NewDelivery } from './deliveries.js';

interface Pending {
  delivery: NewDelivery;
  resolve: (stored: boolean) => void;
  reject: (error: unknown) => void;
}

export interface DeliveryWriter {
  /** Resolves true once stored, false when that X-GitHub-Delivery id was stored before. */
  write(delivery: NewDelivery): Promise<boolean>;
}

export interface DeliveryWriterOptions {
  /** The most deliveries one transaction takes (bounded by SQL parameter limits). */
  maxBatch?: number;
}

export function createDeliveryWriter(store: Store, { maxBatch = 100 }: DeliveryWriterOptions = {}): DeliveryWriter {
  let queue: Pending[] = [];
  let writing = false;

  async function flush(): Promise<void> {
    writing = true;
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      // The same id twice in one batch (a redelivery racing the original): the first one counts.
      const firstById = new Map<string, Pending>();
      for (const pending of batch) if (!firstById.has(pending.delivery.id)) firstById.set(pending.delivery.id, pending);
      try {
        const fresh = await insertDeliveries(
          store,
          [...firstById.values()].map((pending) => pending.delivery),
        );
        for (const pending of batch)
          pending.resolve(firstById.get(pending.delivery.id) === pending && fresh.has(pending.delivery.id));
      } catch (error) {
        for (const pending of batch) pending.reject(error);
      }
    }
    writing = false;
  }

  return {
    write(delivery) {
      return new Promise<boolean>((resolve, reject) => {
        queue.push({ delivery, resolve, reject });
        // Wait one turn of the event loop so requests already read join this transaction.
        if (!writing) {
          writing = true;
          setImmediate(() => void flush());
        }
      });
    },
  };
}
