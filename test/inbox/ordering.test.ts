/**
 * Deliveries sharing a concurrency key (one pull request's) run one at a time, in arrival order,
 * whichever way they reach a worker, and in however many processes; other keys run meanwhile.
 */
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claimDeliveries, completeDeliveries } from '../../src/inbox/claims.js';
import { getDelivery } from '../../src/inbox/deliveries.js';
import { createInboxWorker } from '../../src/inbox/worker.js';
import { createPostgresStore, createSqliteStore, type TestStore } from '../helpers/store.js';
import { createHarness, pullKey, tick, waitUntil } from './inbox-harness.js';

describe('deliveries of one pull request', () => {
  let testStore: TestStore;
  const { clock, enqueue, handOver, gatedWorker } = createHarness(() => testStore.store);

  beforeEach(async () => {
    testStore = await createSqliteStore();
    clock.now = 1_700_000_000_000;
  });
  afterEach(() => testStore.cleanup());

  it('claimed from the store run one at a time, in arrival order, while another pull request’s run', async () => {
    const { inbox, started, running, release } = gatedWorker({ concurrency: 4 });
    for (const id of ['pr1-a', 'pr1-b', 'pr2-a', 'pr1-c']) await enqueue(id, { pull: id.startsWith('pr1') ? 1 : 2 });
    inbox.start();
    await waitUntil(() => running().length === 2, 'two deliveries run');
    expect(running()).toEqual(['pr1-a', 'pr2-a']);
    release('pr1-a');
    await waitUntil(() => started.includes('pr1-b'), 'the second one of pull request 1 runs');
    expect(running()).toEqual(['pr2-a', 'pr1-b']);
    release('pr1-b');
    await waitUntil(() => started.includes('pr1-c'), 'the third one runs');
    release('pr1-c');
    release('pr2-a');
    await inbox.idle();
    expect(started).toEqual(['pr1-a', 'pr2-a', 'pr1-b', 'pr1-c']);
    await inbox.stop();
  });

  it('handed over by the receiver run one at a time, in arrival order', async () => {
    const { inbox, started, running, release } = gatedWorker({ concurrency: 4 });
    inbox.start();
    for (const id of ['pr1-a', 'pr1-b', 'pr2-a', 'pr1-c'])
      await handOver(inbox, id, { pull: id.startsWith('pr1') ? 1 : 2 });
    await waitUntil(() => running().length === 2, 'two deliveries run');
    expect(running()).toEqual(['pr1-a', 'pr2-a']);
    release('pr1-a');
    await waitUntil(() => started.includes('pr1-b'), 'the second one of pull request 1 runs');
    release('pr1-b');
    await waitUntil(() => started.includes('pr1-c'), 'the third one runs');
    release('pr1-c');
    release('pr2-a');
    await inbox.idle();
    expect(started).toEqual(['pr1-a', 'pr2-a', 'pr1-b', 'pr1-c']);
    await inbox.stop();
  });

  it('claimed from the store say whether a later one of their pull request waits queued behind them', async () => {
    for (const id of ['pr1-a', 'pr2-a', 'pr1-b']) await enqueue(id, { pull: id.startsWith('pr1') ? 1 : 2 });
    const claimed = await claimDeliveries(testStore.store, {
      workerId: 'w',
      limit: 5,
      leaseMs: 60_000,
      now: clock.now,
    });
    expect(claimed.map((row) => [row.id, row.has_backlog])).toEqual([
      ['pr1-a', true],
      ['pr2-a', false],
    ]);
  });

  it('handed over while another process runs one of the same pull request: waits in the queue, then runs', async () => {
    await enqueue('elsewhere', { pull: 1 });
    await claimDeliveries(testStore.store, { workerId: 'other-process', limit: 1, leaseMs: 60_000, now: clock.now });
    const { inbox, started } = gatedWorker({ concurrency: 4 }, () => false);
    inbox.start();
    await handOver(inbox, 'here', { pull: 1 });
    await waitUntil(async () => (await getDelivery(testStore.store, 'here'))?.status === 'queued', 'it is queued');
    expect(started).toEqual([]);
    await completeDeliveries(testStore.store, ['elsewhere'], 'other-process', clock.now);
    inbox.notify();
    await inbox.idle();
    expect(started).toEqual(['here']);
    expect(await getDelivery(testStore.store, 'here')).toMatchObject({ status: 'processed', attempts: 1 });
    await inbox.stop();
  });

  it('once one of a pull request goes to the store, the later ones follow it there, and each is claimed as the one before finishes', async () => {
    const { inbox, started, release } = gatedWorker({ concurrency: 4, handoffLimit: 1 });
    inbox.start();
    await handOver(inbox, 'a', { pull: 1 });
    await waitUntil(() => started.includes('a'), 'the first runs');
    await handOver(inbox, 'b', { pull: 1 });
    // No room left to wait here: stored queued, as the receiver does.
    expect(inbox.reserve(pullKey(1))).toBeUndefined();
    await enqueue('c', { pull: 1 });
    inbox.notify(pullKey(1));
    release('a');
    await waitUntil(() => started.includes('b'), 'the second runs');
    // There is room again, but 'c' waits in the store: 'd' goes there too, behind it.
    expect(inbox.reserve(pullKey(1))).toBeUndefined();
    await enqueue('d', { pull: 1 });
    inbox.notify(pullKey(1));
    // Another pull request is handed over as before.
    await handOver(inbox, 'other', { pull: 2 });
    release('b');
    // Claimed by its key as 'b' finishes, not at the next poll (10 s away).
    await waitUntil(() => started.includes('c'), 'the third runs');
    release('c');
    await waitUntil(() => started.includes('d'), 'the fourth runs');
    release('d');
    release('other');
    await inbox.idle();
    expect(started).toEqual(['a', 'b', 'other', 'c', 'd']);
    // Its backlog claimed, the pull request's deliveries are handed over again.
    const claim = inbox.reserve(pullKey(1));
    expect(claim).toBeDefined();
    claim?.cancel();
    await inbox.stop();
  });

  it('handed over after an earlier one of the same pull request waits in the store: the earlier runs first', async () => {
    const { inbox, started } = gatedWorker({ concurrency: 4 }, () => false);
    inbox.start();
    await tick();
    await enqueue('earlier', { pull: 1 });
    await handOver(inbox, 'later', { pull: 1 });
    await inbox.idle();
    expect(started).toEqual(['earlier', 'later']);
    await inbox.stop();
  });
});

describe.skipIf(!process.env.TEST_DATABASE_URL)('Postgres: deliveries of one pull request across processes', () => {
  let testStore: TestStore;
  const { enqueue } = createHarness(() => testStore.store);

  beforeEach(async () => {
    testStore = await createPostgresStore(process.env.TEST_DATABASE_URL!);
  });
  afterEach(() => testStore.cleanup());

  it('never run at once in two workers, and run in arrival order', async () => {
    const ids = Array.from({ length: 24 }, (_, index) => `d${index}`);
    for (const [index, id] of ids.entries()) await enqueue(id, { pull: (index % 3) + 1 });
    const runningPulls = new Set<number>();
    const overlaps: string[] = [];
    const order = new Map<number, string[]>();
    const workers = ['a', 'b'].map((workerId) =>
      createInboxWorker({
        store: testStore.store,
        log: pino({ level: 'silent' }),
        workerId,
        concurrency: 4,
        pollMs: 20,
        dispatch: async ({ id, payload }) => {
          const pull = (payload as { number: number }).number;
          if (runningPulls.has(pull)) overlaps.push(id);
          runningPulls.add(pull);
          order.set(pull, [...(order.get(pull) ?? []), id]);
          await tick(5);
          runningPulls.delete(pull);
        },
      }),
    );
    for (const worker of workers) worker.start();
    await waitUntil(async () => [...order.values()].flat().length === ids.length, 'every delivery runs');
    await Promise.all(workers.map((worker) => worker.idle()));
    await Promise.all(workers.map((worker) => worker.stop()));
    expect(overlaps).toEqual([]);
    expect(order.get(1)).toEqual(ids.filter((_, index) => index % 3 === 0));
  });
});
