/**
 * The receiver's insert: one transaction per batch, a payload kept only for a delivery that is to
 * run, ids stored once. On SQLite it runs prepared statements on the database itself: it must
 * never land inside a transaction Kysely has open, where a rollback would take the delivery with it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getDelivery, insertDeliveryBatch, readPayloads, type NewDelivery } from '../../src/inbox/deliveries.js';
import { decodePayload } from '../../src/inbox/payload-codec.js';
import { example } from '../../fixtures/index.js';
import { createPostgresStore, createSqliteStore, type TestStore } from '../helpers/store.js';

function delivery(id: string, status: NewDelivery['status'], receivedAt = 1_700_000_000_000): NewDelivery {
  const payload = example('issue_comment.created');
  return {
    id,
    event: 'issue_comment',
    action: 'created',
    installationId: payload.installation?.id ?? null,
    repository: payload.repository.full_name,
    concurrencyKey: `issue:${payload.repository.id}:${payload.issue.number}`,
    payload: Buffer.from(JSON.stringify(payload)),
    status,
    receivedAt,
  };
}

const stores: [string, () => Promise<TestStore>][] = [['SQLite', createSqliteStore]];
if (process.env.TEST_DATABASE_URL) stores.push(['Postgres', () => createPostgresStore(process.env.TEST_DATABASE_URL!)]);

describe.each(stores)('storing deliveries (%s)', (_name, createStore) => {
  let testStore: TestStore;
  beforeEach(async () => {
    testStore = await createStore();
  });
  afterEach(() => testStore.cleanup());

  async function payloadOf(id: string): Promise<unknown> {
    const row = await getDelivery(testStore.store, id);
    const stored = (await readPayloads(testStore.store, [Number(row?.seq)])).get(Number(row?.seq));
    return stored ? decodePayload(stored) : undefined;
  }

  it('stores a batch in one go: the payload of a delivery to run, none for one recorded without running', async () => {
    const fresh = await insertDeliveryBatch(testStore.store, [
      delivery('run-me', 'queued'),
      delivery('no-command', 'processed'),
      delivery('a-star', 'ignored'),
    ]);
    expect(fresh).toEqual([true, true, true]);
    expect(await getDelivery(testStore.store, 'run-me')).toMatchObject({
      status: 'queued',
      event: 'issue_comment',
      action: 'created',
      attempts: 0,
      concurrency_key: expect.stringMatching(/^issue:\d+:\d+$/),
    });
    expect(await payloadOf('run-me')).toEqual(example('issue_comment.created'));
    expect(await getDelivery(testStore.store, 'no-command')).toMatchObject({
      status: 'processed',
      attempts: 0,
      processed_at: 1_700_000_000_000,
    });
    expect(await payloadOf('no-command')).toBeUndefined();
    expect(await getDelivery(testStore.store, 'a-star')).toMatchObject({ status: 'ignored', processed_at: null });
    expect(await payloadOf('a-star')).toBeUndefined();
  });

  it('stores an id once: a redelivery, or the same id twice in one batch, is not new', async () => {
    expect(await insertDeliveryBatch(testStore.store, [delivery('once', 'queued')])).toEqual([true]);
    expect(
      await insertDeliveryBatch(testStore.store, [
        delivery('once', 'queued'),
        delivery('twice', 'queued'),
        delivery('twice', 'queued'),
      ]),
    ).toEqual([false, true, false]);
  });

  it.each(['ignored', 'processed'] as const)(
    'queues a redelivery of a delivery recorded %s without running, now to run, as received again',
    async (recorded) => {
      await insertDeliveryBatch(testStore.store, [delivery('later-run', recorded, 1_000)]);
      expect(await insertDeliveryBatch(testStore.store, [delivery('later-run', recorded, 2_000)])).toEqual([false]);
      expect(await insertDeliveryBatch(testStore.store, [delivery('later-run', 'queued', 3_000)])).toEqual([true]);
      expect(await getDelivery(testStore.store, 'later-run')).toMatchObject({
        status: 'queued',
        received_at: 3_000,
        next_attempt_at: 3_000,
        processed_at: null,
      });
      expect(await payloadOf('later-run')).toEqual(example('issue_comment.created'));
      // Stored to run once, it is never recorded as not to run again, nor queued a second time.
      expect(await insertDeliveryBatch(testStore.store, [delivery('later-run', recorded, 4_000)])).toEqual([false]);
      expect(await insertDeliveryBatch(testStore.store, [delivery('later-run', 'queued', 5_000)])).toEqual([false]);
      expect(await getDelivery(testStore.store, 'later-run')).toMatchObject({
        status: 'queued',
        next_attempt_at: 3_000,
      });
    },
  );

  it('never queues again a delivery that ran and was processed', async () => {
    await insertDeliveryBatch(testStore.store, [delivery('ran', 'queued', 1_000)]);
    await testStore.store.db
      .updateTable('deliveries')
      .set({ status: 'processed', attempts: 1, processed_at: 2_000 })
      .where('id', '=', 'ran')
      .execute();
    expect(await insertDeliveryBatch(testStore.store, [delivery('ran', 'queued', 3_000)])).toEqual([false]);
    expect(await getDelivery(testStore.store, 'ran')).toMatchObject({ status: 'processed', attempts: 1 });
  });

  it('keeps a delivery stored while another transaction rolls back', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const rolledBack = testStore.store.db
      .transaction()
      .execute(async (trx) => {
        await trx.insertInto('schedules').values({ name: 'rolled-back', next_run_at: 0 }).execute();
        entered();
        await held;
        throw new Error('roll back');
      })
      .catch((error: Error) => error.message);
    await inside;
    const inserting = insertDeliveryBatch(testStore.store, [delivery('kept', 'queued')]);
    release();
    expect(await rolledBack).toBe('roll back');
    expect(await inserting).toEqual([true]);
    expect(await getDelivery(testStore.store, 'kept')).toMatchObject({ status: 'queued' });
    const schedules = await testStore.store.db.selectFrom('schedules').select('name').execute();
    expect(schedules).toEqual([]);
  });
});
