/**
 * A worker on a fresh SQLite store with an injected clock, and the two ways deliveries reach it:
 * stored queued (`enqueue`) or handed over by the receiver under a local claim (`handOver`).
 */
import { pino } from 'pino';
import { insertDelivery, type DeliveryClaim } from '../../src/inbox/deliveries.js';
import { readFacts } from '../../src/inbox/delivery-facts.js';
import { createInboxWorker, type DispatchedDelivery, type InboxWorker } from '../../src/inbox/worker.js';
import type { Store } from '../../src/store/database.js';

const silent = pino({ level: 'silent' });

export interface DeliverySpec {
  installationId?: number;
  /** The pull request it is about: deliveries of one pull request share a concurrency key. */
  pull?: number;
  claim?: DeliveryClaim;
}

const REPOSITORY_ID = 1296269;

/** A pull_request payload with `spec`'s facts, read from it the way the receiver reads them. */
export function payloadOf(id: string, { installationId, pull }: DeliverySpec = {}) {
  return {
    action: 'opened',
    test: id,
    ...(installationId === undefined ? {} : { installation: { id: installationId } }),
    ...(pull === undefined
      ? {}
      : { number: pull, pull_request: { number: pull }, repository: { id: REPOSITORY_ID, full_name: 'acme/app' } }),
  };
}

/** The concurrency key of pull request `pull`'s deliveries. */
export const pullKey = (pull: number) => `pr:${REPOSITORY_ID}:${pull}`;

export const tick = (ms = 20) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits (polling) until `check` holds; fails the test after a few seconds. */
export async function waitUntil(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let tries = 0; tries < 250; tries++) {
    if (await check()) return;
    await tick();
  }
  throw new Error(`Never happened: ${what}`);
}

export function createHarness(getStore: () => Store) {
  const clock = { now: 1_700_000_000_000 };
  const now = () => clock.now;

  async function enqueue(id: string, spec: DeliverySpec = {}) {
    const payload = payloadOf(id, spec);
    await insertDelivery(getStore(), {
      id,
      event: 'pull_request',
      ...readFacts('pull_request', payload),
      payload: Buffer.from(JSON.stringify(payload)),
      status: 'queued',
      receivedAt: clock.now,
      ...(spec.claim ? { claim: spec.claim } : {}),
    });
  }

  /** What the receiver does: store the delivery under a local claim, then hand it over. */
  async function handOver(inbox: InboxWorker, id: string, spec: DeliverySpec = {}) {
    const claim = inbox.reserve(readFacts('pull_request', payloadOf(id, spec)).concurrencyKey);
    if (!claim) throw new Error('the worker refused the handoff');
    await enqueue(id, { ...spec, claim });
    claim.run({ id, event: 'pull_request', payload: payloadOf(id, spec) });
  }

  /**
   * A worker whose handler records each delivery id as it starts (`started`) and as it ends
   * (`finished`), and holds those `gated` until `release(id)` (or `releaseAll()`).
   */
  function gatedWorker(options: object, gated: (id: string) => boolean = () => true) {
    const started: string[] = [];
    const finished: string[] = [];
    const gates = new Map<string, () => void>();
    let open = false;
    const inbox = createInboxWorker({
      store: getStore(),
      log: silent,
      now,
      pollMs: 10_000,
      backoff: { random: () => 0 },
      ...options,
      dispatch: async (delivery: DispatchedDelivery) => {
        started.push(delivery.id);
        if (!open && gated(delivery.id)) await new Promise<void>((resolve) => gates.set(delivery.id, resolve));
        finished.push(delivery.id);
      },
    });
    const running = () => started.filter((id) => !finished.includes(id));
    return {
      inbox,
      started,
      finished,
      running,
      release(id: string) {
        const gate = gates.get(id);
        if (!gate) throw new Error(`${id} is not being held`);
        gates.delete(id);
        gate();
      },
      releaseAll() {
        open = true;
        for (const gate of gates.values()) gate();
        gates.clear();
      },
    };
  }

  return { clock, now, enqueue, handOver, gatedWorker };
}
