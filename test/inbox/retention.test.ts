import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { getDelivery, insertDelivery } from '../../src/inbox/deliveries.js';
import { startDeliveryRetention } from '../../src/inbox/retention.js';
import type { DeliveryStatus } from '../../src/store/schema.js';
import { createSqliteStore, type TestStore } from '../helpers/store.js';

const DAY = 24 * 60 * 60 * 1000;
const NOW = 1_800_000_000_000;

describe('delivery retention', () => {
  let testStore: TestStore;
  beforeEach(async () => {
    testStore = await createSqliteStore();
  });
  afterEach(() => testStore.cleanup());

  async function stored(id: string, ageDays: number, status: DeliveryStatus) {
    await insertDelivery(testStore.store, {
      id,
      event: 'push',
      action: null,
      installationId: 1,
      repository: 'acme/app',
      payload: Buffer.from('{}'),
      status: 'queued',
      receivedAt: NOW - ageDays * DAY,
    });
    await testStore.store.db.updateTable('deliveries').set({ status }).where('id', '=', id).execute();
  }

  /** One clean-up at NOW with 14 days' retention: the first sweep runs as retention starts. */
  async function sweepOnce() {
    const stop = startDeliveryRetention({
      store: testStore.store,
      log: pino({ level: 'silent' }),
      retentionDays: 14,
      now: () => NOW,
    });
    await stop();
  }

  it('deletes processed and ignored deliveries past the retention period, with their payloads', async () => {
    await stored('old-processed', 15, 'processed');
    await stored('old-ignored', 20, 'ignored');
    await stored('recent-processed', 13, 'processed');
    await sweepOnce();
    expect(await getDelivery(testStore.store, 'old-processed')).toBeUndefined();
    expect(await getDelivery(testStore.store, 'old-ignored')).toBeUndefined();
    expect(await getDelivery(testStore.store, 'recent-processed')).toBeDefined();
    const payloads = await testStore.store.db
      .selectFrom('delivery_payloads')
      .innerJoin('deliveries', 'deliveries.seq', 'delivery_payloads.delivery_seq')
      .select('deliveries.id')
      .execute();
    const orphans = await testStore.store.db.selectFrom('delivery_payloads').select('delivery_seq').execute();
    expect([payloads.map((row) => row.id), orphans.length]).toEqual([['recent-processed'], 1]);
  });

  it('keeps dead letters, failures awaiting a retry and queued deliveries whatever their age', async () => {
    await stored('old-dead', 90, 'dead');
    await stored('old-failed', 90, 'failed');
    await stored('old-queued', 90, 'queued');
    await sweepOnce();
    const rows = await testStore.store.db.selectFrom('deliveries').select('id').orderBy('id').execute();
    expect(rows.map((row) => row.id)).toEqual(['old-dead', 'old-failed', 'old-queued']);
  });
});
