/**
 * A delivery never runs in two processes at once, and an attempt is charged only when a handler
 * starts. The receiver hands deliveries over to its own worker under a claim (a lease): the
 * lease must count from when the row is written, be renewed from then on, and a delivery that
 * waited here must still be this process's before it runs.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claimDeliveries } from '../../src/inbox/claims.js';
import { getDelivery } from '../../src/inbox/deliveries.js';
import { createSqliteStore, type TestStore } from '../helpers/store.js';
import { createHarness, tick, waitUntil } from './inbox-harness.js';

describe('fences on deliveries handed over by the receiver', () => {
  let testStore: TestStore;
  const harness = createHarness(() => testStore.store);
  const { clock, enqueue, handOver, gatedWorker } = harness;
  const claimAsOtherProcess = () =>
    claimDeliveries(testStore.store, { workerId: 'other-process', limit: 5, leaseMs: 60_000, now: clock.now });

  beforeEach(async () => {
    testStore = await createSqliteStore();
    clock.now = 1_700_000_000_000;
  });
  afterEach(() => testStore.cleanup());

  it('a lease counts from when the row is written, not from when its place was reserved', async () => {
    const { inbox, started, releaseAll } = gatedWorker({ leaseMs: 60_000 });
    inbox.start();
    const claim = inbox.reserve()!;
    // A burst: the group commit writes this delivery long after the receiver reserved its place.
    clock.now += 60_001;
    await enqueue('d1', { claim });
    expect(await claimAsOtherProcess()).toEqual([]);
    claim.run({ id: 'd1', event: 'pull_request', payload: { action: 'opened' } });
    await waitUntil(() => started.includes('d1'), 'd1 runs here');
    releaseAll();
    await inbox.idle();
    await inbox.stop();
  });

  it('a delivery written under a claim has its lease renewed before it is handed over', async () => {
    const { inbox, releaseAll } = gatedWorker({ leaseMs: 90 });
    inbox.start();
    const claim = inbox.reserve()!;
    await enqueue('d1', { claim });
    // The receiver has not handed it over yet (its answer is still on its way): time passes.
    clock.now += 10_000;
    await tick(100);
    expect(await claimAsOtherProcess()).toEqual([]);
    claim.run({ id: 'd1', event: 'pull_request', payload: { action: 'opened' } });
    releaseAll();
    await inbox.idle();
    await inbox.stop();
  });

  it('a delivery whose lease lapsed while it waited (a database outage) and that another process took over is not run here', async () => {
    const { inbox, started, release } = gatedWorker({ concurrency: 1, leaseMs: 60_000 });
    inbox.start();
    await handOver(inbox, 'running');
    await handOver(inbox, 'waiting');
    await waitUntil(() => started.includes('running'), 'the first delivery runs');
    // No lease could be renewed for longer than the lease: another process claims what it finds.
    clock.now += 60_001;
    const taken = await claimAsOtherProcess();
    expect(taken.map((row) => row.id).sort()).toEqual(['running', 'waiting']);
    release('running');
    await inbox.idle();
    expect(started).toEqual(['running']);
    expect(await getDelivery(testStore.store, 'waiting')).toMatchObject({
      status: 'processing',
      claimed_by: 'other-process',
      attempts: 1,
    });
    await inbox.stop();
  });

  it('a delivery waiting for a slot is charged no attempt until its handler starts', async () => {
    const { inbox, started, release } = gatedWorker({ concurrency: 1 });
    inbox.start();
    await handOver(inbox, 'running');
    await handOver(inbox, 'waiting');
    await waitUntil(() => started.includes('running'), 'the first delivery runs');
    expect(await getDelivery(testStore.store, 'waiting')).toMatchObject({ status: 'processing', attempts: 0 });
    release('running');
    await waitUntil(() => started.includes('waiting'), 'the second delivery runs');
    release('waiting');
    await inbox.idle();
    expect(await getDelivery(testStore.store, 'waiting')).toMatchObject({ status: 'processed', attempts: 1 });
    await inbox.stop();
  });

  it('a process killed while deliveries wait for a slot charges them nothing: the next one runs them on their first attempt', async () => {
    const { inbox, started, releaseAll } = gatedWorker({ concurrency: 1, leaseMs: 60_000 });
    inbox.start();
    await handOver(inbox, 'running');
    await handOver(inbox, 'waiting');
    await waitUntil(() => started.includes('running'), 'the first delivery runs');
    // Killed: nothing more is written by this process; its leases lapse.
    clock.now += 60_001;
    const taken = await claimAsOtherProcess();
    expect(Object.fromEntries(taken.map((row) => [row.id, row.attempts]))).toEqual({ running: 2, waiting: 1 });
    releaseAll();
    await inbox.stop(0);
  });
});
