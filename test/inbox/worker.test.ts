import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { pino } from 'pino';
import { GuardError } from '../../src/errors.js';
import { claimDeliveries, completeDeliveries } from '../../src/inbox/claims.js';
import { getDelivery, insertDelivery } from '../../src/inbox/deliveries.js';
import {
  createInboxWorker,
  type DispatchedDelivery,
  type InboxWorker,
  type LocalClaim,
} from '../../src/inbox/worker.js';
import { createSqliteStore, type TestStore } from '../helpers/store.js';

const silent = pino({ level: 'silent' });

describe('the inbox worker', () => {
  let testStore: TestStore;
  let clock: number;
  const now = () => clock;

  beforeEach(async () => {
    testStore = await createSqliteStore();
    clock = 1_700_000_000_000;
  });
  afterEach(() => testStore.cleanup());

  async function enqueue(id: string, payload: unknown = { action: 'opened' }, claim?: LocalClaim, installationId = 1) {
    await insertDelivery(testStore.store, {
      id,
      event: 'pull_request',
      action: 'opened',
      installationId,
      repository: 'acme/app',
      payload: Buffer.from(JSON.stringify(payload)),
      status: 'queued',
      receivedAt: clock,
      ...(claim ? { claim } : {}),
    });
  }

  /** What the receiver does: store the delivery under a local claim, then hand it over. */
  async function handOver(inbox: InboxWorker, id: string, payload: unknown = { action: 'opened' }) {
    const claim = inbox.reserve();
    if (!claim) throw new Error('the worker refused the handoff');
    await enqueue(id, payload, claim);
    claim.run({ id, event: 'pull_request', payload });
  }

  /** A worker whose handler records each delivery id and holds those `gated` until `release()`. */
  function gatedWorker(options: object, gated: (id: string) => boolean = () => true) {
    const seen: string[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const inbox = worker(async (delivery) => {
      seen.push(delivery.id);
      if (gated(delivery.id)) await gate;
    }, options);
    return { inbox, seen, release: () => release() };
  }

  const tick = (ms = 50) => new Promise((resolve) => setTimeout(resolve, ms));

  function worker(dispatch: (delivery: DispatchedDelivery) => Promise<void>, options = {}) {
    return createInboxWorker({
      store: testStore.store,
      dispatch,
      log: silent,
      now,
      pollMs: 10_000,
      backoff: { random: () => 0 },
      ...options,
    });
  }

  it('hands a stored delivery to the dispatcher with its id, name and payload', async () => {
    const seen: DispatchedDelivery[] = [];
    await enqueue('d1', { action: 'opened', number: 3 });
    const inbox = worker(async (delivery) => void seen.push(delivery));
    inbox.start();
    await inbox.idle();
    expect(seen).toEqual([{ id: 'd1', name: 'pull_request', payload: { action: 'opened', number: 3 } }]);
    expect(await getDelivery(testStore.store, 'd1')).toMatchObject({ status: 'processed', attempts: 1, error: null });
    await inbox.stop();
  });

  it('schedules a retry with exponential backoff after a failure', async () => {
    await enqueue('d1');
    const inbox = worker(async () => {
      throw new Error('GitHub answered 502');
    });
    inbox.start();
    await inbox.idle();
    // First retry: half of 1 s at minimum (equal jitter with random() = 0).
    expect(await getDelivery(testStore.store, 'd1')).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: 'Error: GitHub answered 502',
      next_attempt_at: clock + 500,
    });
    await inbox.stop();
  });

  it('retries until it succeeds', async () => {
    await enqueue('d1');
    let calls = 0;
    const inbox = worker(async () => {
      calls += 1;
      if (calls < 3) throw new Error('flaky');
    });
    inbox.start();
    for (let attempt = 0; attempt < 3; attempt++) {
      await inbox.idle();
      clock += 60_000;
      inbox.notify();
    }
    await inbox.idle();
    expect(calls).toBe(3);
    expect(await getDelivery(testStore.store, 'd1')).toMatchObject({ status: 'processed', attempts: 3, error: null });
    await inbox.stop();
  });

  it('makes a dead letter of a delivery that failed every attempt, keeping its last error', async () => {
    await enqueue('d1');
    let calls = 0;
    const inbox = worker(
      async () => {
        calls += 1;
        throw new Error(`failure ${calls}`);
      },
      { maxAttempts: 3 },
    );
    inbox.start();
    for (let attempt = 0; attempt < 4; attempt++) {
      await inbox.idle();
      clock += 3_600_000;
      inbox.notify();
    }
    await inbox.idle();
    expect(calls).toBe(3);
    expect(await getDelivery(testStore.store, 'd1')).toMatchObject({
      status: 'dead',
      attempts: 3,
      error: 'Error: failure 3',
    });
    await inbox.stop();
  });

  it('makes a dead letter at once of a failure retrying cannot fix', async () => {
    await enqueue('d1');
    const inbox = worker(async () => {
      throw new AggregateError([new GuardError('Refused before sending: PUT /repos/a/b/pulls/1/merge.')]);
    });
    inbox.start();
    await inbox.idle();
    const row = await getDelivery(testStore.store, 'd1');
    expect(row).toMatchObject({ status: 'dead', attempts: 1 });
    expect(row?.error).toContain('Keel never merges pull requests');
    await inbox.stop();
  });

  it('takes over a delivery whose claimant died once its lease has expired', async () => {
    await enqueue('d1');
    // A process claims it and dies: the lease is never renewed.
    await claimDeliveries(testStore.store, { workerId: 'dead-process', limit: 1, leaseMs: 30_000, now: clock });
    const seen: string[] = [];
    const inbox = worker(async (delivery) => void seen.push(delivery.id), { leaseMs: 30_000 });
    inbox.start();
    await inbox.idle();
    expect(seen).toEqual([]);
    clock += 30_001;
    inbox.notify();
    await inbox.idle();
    expect(seen).toEqual(['d1']);
    expect(await getDelivery(testStore.store, 'd1')).toMatchObject({ status: 'processed', attempts: 2 });
    await inbox.stop();
  });

  it('never starts a second run of a delivery it is still running, even once its own lease lapsed', async () => {
    await enqueue('d1');
    let runs = 0;
    let finish: () => void = () => undefined;
    const inbox = worker(
      () => {
        runs += 1;
        return new Promise<void>((resolve) => (finish = resolve));
      },
      { leaseMs: 60_000 },
    );
    inbox.start();
    await new Promise((resolve) => setTimeout(resolve, 50));
    // The event loop stalled past the lease (no heartbeat got through): the row looks abandoned.
    clock += 60_001;
    inbox.notify();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(runs).toBe(1);
    finish();
    await inbox.idle();
    expect(await getDelivery(testStore.store, 'd1')).toMatchObject({ status: 'processed' });
    await inbox.stop();
  });

  it('ignores the late answer of a process that lost its lease', async () => {
    await enqueue('d1');
    await claimDeliveries(testStore.store, { workerId: 'slow-process', limit: 1, leaseMs: 1_000, now: clock });
    clock += 1_001;
    await claimDeliveries(testStore.store, { workerId: 'new-owner', limit: 1, leaseMs: 60_000, now: clock });
    await completeDeliveries(testStore.store, ['d1'], 'slow-process', clock);
    expect(await getDelivery(testStore.store, 'd1')).toMatchObject({ status: 'processing', claimed_by: 'new-owner' });
  });

  it('releases what it holds on stop, without counting an attempt', async () => {
    await enqueue('d1');
    let release: () => void = () => undefined;
    const inbox = worker(() => new Promise<void>((resolve) => (release = resolve)));
    inbox.start();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await inbox.stop(20);
    expect(await getDelivery(testStore.store, 'd1')).toMatchObject({ status: 'queued', attempts: 0, claimed_by: null });
    release();
  });

  it('never runs more deliveries at once than its concurrency', async () => {
    for (let index = 0; index < 10; index++) await enqueue(`d${index}`, { action: 'opened' }, undefined, index);
    let running = 0;
    let peak = 0;
    const inbox = worker(
      async () => {
        running += 1;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, 5));
        running -= 1;
      },
      { concurrency: 3 },
    );
    inbox.start();
    await inbox.idle();
    expect(peak).toBe(3);
    await inbox.stop();
  });

  describe('deliveries handed over by the receiver', () => {
    it('runs them with the payload the receiver parsed, and marks them processed', async () => {
      const seen: unknown[] = [];
      const inbox = worker(async (delivery) => void seen.push(delivery.payload));
      inbox.start();
      const payload = { action: 'opened', number: 9 };
      await handOver(inbox, 'd1', payload);
      await inbox.idle();
      expect(seen[0]).toBe(payload);
      expect(await getDelivery(testStore.store, 'd1')).toMatchObject({ status: 'processed', attempts: 1 });
      await inbox.stop();
    });

    it('are not claimable by another process while this one holds them', async () => {
      const { inbox, release } = gatedWorker({});
      inbox.start();
      await handOver(inbox, 'd1');
      const taken = await claimDeliveries(testStore.store, { workerId: 'other', limit: 5, leaseMs: 1_000, now: clock });
      expect(taken).toEqual([]);
      release();
      await inbox.idle();
      await inbox.stop();
    });

    it('keep their lease renewed while they wait and run', async () => {
      let finish: () => void = () => undefined;
      const inbox = worker(() => new Promise<void>((resolve) => (finish = resolve)), { leaseMs: 90 });
      inbox.start();
      await handOver(inbox, 'd1');
      clock += 10_000;
      await tick(100);
      const taken = await claimDeliveries(testStore.store, { workerId: 'other', limit: 5, leaseMs: 1_000, now: clock });
      expect([taken, (await getDelivery(testStore.store, 'd1'))?.lease_expires_at]).toEqual([[], clock + 90]);
      finish();
      await inbox.idle();
      await inbox.stop();
    });

    it('go back to the queue on stop when they never started, without counting an attempt', async () => {
      const inbox = worker(() => new Promise<void>(() => undefined), { concurrency: 1 });
      inbox.start();
      await handOver(inbox, 'running');
      await handOver(inbox, 'waiting');
      await tick();
      await inbox.stop(20);
      expect(await getDelivery(testStore.store, 'waiting')).toMatchObject({
        status: 'queued',
        attempts: 0,
        claimed_by: null,
      });
    });

    it('being stored when it stops are waited for and go back to the queue', async () => {
      const inbox = worker(async () => undefined);
      inbox.start();
      const claim = inbox.reserve()!;
      const stopping = inbox.stop(1_000);
      await enqueue('d1', { action: 'opened' }, claim);
      claim.run({ id: 'd1', event: 'pull_request', payload: { action: 'opened' } });
      await stopping;
      expect(await getDelivery(testStore.store, 'd1')).toMatchObject({
        status: 'queued',
        attempts: 0,
        claimed_by: null,
      });
    });

    it('are refused once the handoff limit is reached, until a place is given back', async () => {
      const inbox = worker(async () => undefined, { handoffLimit: 2 });
      inbox.start();
      const first = inbox.reserve();
      const second = inbox.reserve();
      const third = inbox.reserve();
      first?.cancel();
      const fourth = inbox.reserve();
      expect([first?.claimedBy, second?.claimedBy, third, fourth?.claimedBy]).toEqual([
        inbox.workerId,
        inbox.workerId,
        undefined,
        inbox.workerId,
      ]);
      second?.cancel();
      fourth?.cancel();
      await inbox.stop();
    });

    it('are held within a budget of payload bytes: past it, deliveries go to the store until bytes are given back', async () => {
      const inbox = worker(async () => undefined, { handoffBytes: 30_000 });
      inbox.start();
      const first = inbox.reserve(null, 14_000);
      const second = inbox.reserve(null, 14_000);
      const third = inbox.reserve(null, 14_000);
      first?.cancel();
      const fourth = inbox.reserve(null, 14_000);
      expect([first?.claimedBy, second?.claimedBy, third, fourth?.claimedBy]).toEqual([
        inbox.workerId,
        inbox.workerId,
        undefined,
        inbox.workerId,
      ]);
      second?.cancel();
      fourth?.cancel();
      // One delivery larger than the whole budget may still wait alone.
      const large = inbox.reserve(null, 100_000);
      expect(large?.claimedBy).toBe(inbox.workerId);
      large?.cancel();
      await inbox.stop();
    });

    it('hold far more than 64 small deliveries by default', async () => {
      const inbox = worker(async () => undefined, { concurrency: 1 });
      inbox.start();
      const claims = Array.from({ length: 200 }, () => inbox.reserve(null, 14_000));
      expect(claims.filter((claim) => claim?.claimedBy === inbox.workerId)).toHaveLength(200);
      for (const claim of claims) claim?.cancel();
      await inbox.stop();
    });

    it('hold at most `handoffPerKey` deliveries of one key: its later ones go to the store', async () => {
      const inbox = worker(async () => undefined, { handoffPerKey: 2 });
      inbox.start();
      const claims = ['pr:1', 'pr:1', 'pr:1', 'pr:2'].map((key) => inbox.reserve(key, 1_000));
      expect(claims.map((claim) => claim?.claimedBy)).toEqual([
        inbox.workerId,
        inbox.workerId,
        undefined,
        inbox.workerId,
      ]);
      for (const claim of claims) claim?.cancel();
      await inbox.stop();
    });

    it('past the handoff limit, the receiver stores deliveries queued, and they run from the store', async () => {
      const { inbox, seen, release } = gatedWorker({ concurrency: 1, handoffLimit: 1 });
      inbox.start();
      await handOver(inbox, 'handed-over');
      // Running, so it no longer counts against the limit; the next one waits behind it.
      await vi.waitFor(() => expect(seen).toEqual(['handed-over']));
      await handOver(inbox, 'waiting');
      expect(inbox.reserve()).toBeUndefined();
      await enqueue('queued');
      inbox.notify();
      release();
      await inbox.idle();
      expect(seen).toEqual(['handed-over', 'waiting', 'queued']);
      expect(await getDelivery(testStore.store, 'queued')).toMatchObject({ status: 'processed', attempts: 1 });
      await inbox.stop();
    });

    it('do not starve a delivery waiting in the store: it gets a turn once a poll interval', async () => {
      const { inbox, seen, release } = gatedWorker({ concurrency: 1, pollMs: 10_000 }, (id) => id === 'blocker');
      inbox.start();
      await handOver(inbox, 'blocker');
      await enqueue('retry-due');
      await handOver(inbox, 'new-1');
      await handOver(inbox, 'new-2');
      clock += 10_000;
      release();
      await inbox.idle();
      expect(seen).toEqual(['blocker', 'retry-due', 'new-1', 'new-2']);
      await inbox.stop();
    });

    it('are refused by a worker that runs nothing (a receive-only process) or is stopping', async () => {
      const receiveOnly = worker(async () => undefined, { concurrency: 0 });
      receiveOnly.start();
      const stopping = worker(async () => undefined);
      stopping.start();
      await stopping.stop();
      expect([receiveOnly.reserve(), stopping.reserve()]).toEqual([undefined, undefined]);
      await receiveOnly.stop();
    });
  });
});
