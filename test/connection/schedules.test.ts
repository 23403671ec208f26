import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claimSchedule } from '../../src/connection/schedules.js';
import { openStore, type Store } from '../../src/store/database.js';
import { createPostgresStore, createSqliteStore, type TestStore } from '../helpers/store.js';
import { waitForDisconnect } from './postgres-settle.js';

const HOUR = 60 * 60 * 1000;
const NOW = 1_750_000_000_000;

function claim(store: Store, claimant: string, now = NOW, force = false) {
  return claimSchedule(store, { name: 'hourly', everyMs: HOUR, now, claimant, force });
}

function describeClaims(open: () => Promise<{ stores: [Store, Store]; close(): Promise<void> }>) {
  let stores: [Store, Store];
  let close: () => Promise<void>;
  beforeEach(async () => {
    ({ stores, close } = await open());
  });
  afterEach(() => close());

  it('lets exactly one of two concurrent claimers win', async () => {
    const won = await Promise.all([claim(stores[0], 'a'), claim(stores[1], 'b')]);
    expect(won.filter(Boolean)).toHaveLength(1);
  });

  it('lets exactly one of many concurrent claimers win', async () => {
    const won = await Promise.all(
      Array.from({ length: 8 }, (_, index) => claim(stores[index % 2] as Store, `p${index}`)),
    );
    expect(won.filter(Boolean)).toHaveLength(1);
  });

  it('does not run again before the period is over', async () => {
    await claim(stores[0], 'a');
    expect(await claim(stores[1], 'b', NOW + HOUR - 1)).toBe(false);
  });

  it('runs again once the period is over', async () => {
    await claim(stores[0], 'a');
    expect(await claim(stores[1], 'b', NOW + HOUR)).toBe(true);
  });

  it('runs when forced even before it is due', async () => {
    await claim(stores[0], 'a');
    expect(await claim(stores[1], 'b', NOW + 1, true)).toBe(true);
  });
}

/** Two stores on one database, as two processes would have. */
async function openTwice(create: () => Promise<TestStore>) {
  const first = await create();
  const second = await openStore(first.databaseUrl);
  return {
    stores: [first.store, second] as [Store, Store],
    async close() {
      await second.close();
      await first.store.close();
      await waitForDisconnect(first.databaseUrl);
      await first.cleanup();
    },
  };
}

describe('claimSchedule on SQLite (two connections to one file)', () => {
  describeClaims(() => openTwice(createSqliteStore));
});

describe.skipIf(!process.env.TEST_DATABASE_URL)('claimSchedule on Postgres (two pools)', () => {
  describeClaims(() => openTwice(() => createPostgresStore(process.env.TEST_DATABASE_URL ?? '')));
});
