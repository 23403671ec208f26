/**
 * A delivery accepted is a delivery kept: Keel processes are killed with SIGKILL mid-load, and
 * after a restart every accepted delivery is processed, its effect applied once, and no delivery
 * ever runs in two places at once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/database.js';
import { example } from '../../fixtures/index.js';
import { signDelivery } from '../../fixtures/index.js';
import { createPostgresStore, createSqliteStore, type TestStore } from '../helpers/store.js';
import { testEnv, TEST_WEBHOOK_SECRET } from '../helpers/keel.js';

interface Child {
  process: ChildProcess;
  url: string;
}

const children: ChildProcess[] = [];

/** Real processes start, take load and are killed: give them room on a busy machine. */
const PROCESS_TEST_TIMEOUT = 120_000;

async function startChild(databaseUrl: string, handlerMs = 10): Promise<Child> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/keel-child.ts'], {
    env: {
      ...process.env,
      ...testEnv({ DATABASE_URL: databaseUrl }),
      // Long enough that a fresh process's first deliveries, slowed by module loading on a busy
      // machine, renew their leases in time; short enough that a killed process's are taken over.
      TEST_LEASE_MS: '4000',
      TEST_HANDLER_MS: String(handlerMs),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const lines = createInterface({ input: child.stdout! });
  // The child prints its URL once listening; log lines (warnings) may come first.
  const listening = new Promise<string>((resolve) =>
    lines.on('line', (line) => {
      if (line.startsWith('http')) resolve(line);
    }),
  );
  const url = await Promise.race([
    listening,
    once(child, 'exit').then(([code]) => {
      throw new Error(`Keel child exited with ${String(code)} before listening`);
    }),
  ]);
  return { process: child, url };
}

async function sendLoad(urls: string[], count: number): Promise<string[]> {
  const accepted: string[] = [];
  await Promise.all(
    Array.from({ length: count }, async (_, index) => {
      // Spread over 40 pull requests: each one's deliveries run one at a time, in order.
      const payload = example('pull_request.opened');
      payload.number = payload.pull_request.number = (index % 40) + 1;
      const delivery = signDelivery(TEST_WEBHOOK_SECRET, 'pull_request', payload, `load-${index}`);
      const url = urls[index % urls.length]!;
      const response = await fetch(`${url}/api/github/webhooks`, {
        method: 'POST',
        headers: delivery.headers,
        body: delivery.body,
      }).catch(() => undefined);
      if (response?.status === 202) accepted.push(delivery.id);
    }),
  );
  return accepted;
}

/** The tables the child processes' handler writes to, created once before they start. */
async function createEffectTables(store: Store): Promise<void> {
  await sql`create table test_executions (delivery_id varchar(64) not null, pid integer not null, started_at bigint not null, finished_at bigint)`.execute(
    store.db,
  );
  await sql`create table test_effects (delivery_id varchar(64) primary key)`.execute(store.db);
}

/** How many stored deliveries are processed, or with `processed: false`, are not yet. */
async function countProcessed(store: Store, processed = true): Promise<number> {
  const row = await store.db
    .selectFrom('deliveries')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', processed ? '=' : '<>', 'processed')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Every stored delivery is processed, acknowledged or not. */
const allStoredProcessed = async (store: Store) => (await countProcessed(store, false)) === 0;

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`Timed out after ${timeoutMs} ms`);
}

interface Execution {
  delivery_id: string;
  pid: number;
  started_at: number;
  finished_at: number | null;
}

/** The pull request a load delivery is about (see sendLoad). */
const pullOf = (deliveryId: string) => Number(deliveryId.slice('load-'.length)) % 40;

/** Pairs of executions with one key (by default, of one delivery) whose running times overlap (both finished). */
function findOverlaps(executions: Execution[], keyOf = (id: string): string | number => id): Execution[][] {
  const byDelivery = new Map<string | number, Execution[]>();
  for (const execution of executions) {
    if (execution.finished_at === null) continue;
    const key = keyOf(execution.delivery_id);
    byDelivery.set(key, [...(byDelivery.get(key) ?? []), execution]);
  }
  const overlaps: Execution[][] = [];
  for (const runs of byDelivery.values()) {
    for (const a of runs)
      for (const b of runs)
        if (a !== b && a.started_at < b.finished_at! && b.started_at < a.finished_at!) overlaps.push([a, b]);
  }
  return overlaps;
}

async function expectEveryAcceptedDeliveryDoneOnce(store: Store, accepted: string[]): Promise<void> {
  const rows = await store.db.selectFrom('deliveries').select(['id', 'status']).execute();
  const statusById = new Map(rows.map((row) => [row.id, row.status]));
  expect(accepted.filter((id) => statusById.get(id) !== 'processed')).toEqual([]);
  const effects = await sql<{ delivery_id: string }>`select delivery_id from test_effects`.execute(store.db);
  const affected = new Set(effects.rows.map((row) => row.delivery_id));
  // A delivery stored just before the kill, whose 202 the kill cut off, is processed too: Keel
  // cannot know its answer was lost (GitHub would redeliver it, and the id deduplicates).
  expect([accepted.filter((id) => !affected.has(id)), [...affected].filter((id) => !statusById.has(id))]).toEqual([
    [],
    [],
  ]);
  const executions = (
    await sql<Execution>`select delivery_id, pid, started_at, finished_at from test_executions`.execute(store.db)
  ).rows.map((row) => ({
    ...row,
    started_at: Number(row.started_at),
    finished_at: row.finished_at === null ? null : Number(row.finished_at),
  }));
  // No delivery ran twice at once, nor two deliveries of one pull request.
  expect([findOverlaps(executions), findOverlaps(executions, pullOf)]).toEqual([[], []]);
}

describe('durability of accepted deliveries', () => {
  let testStore: TestStore | undefined;

  afterEach(async () => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
    await testStore?.cleanup();
    testStore = undefined;
  });

  it(
    'SQLite: a process killed mid-load loses nothing; the restarted one finishes every delivery once',
    async () => {
      testStore = await createSqliteStore();
      const databaseUrl = testStore.databaseUrl;
      await createEffectTables(testStore.store);
      await testStore.store.close();
      const first = await startChild(databaseUrl);
      const loading = sendLoad([first.url], 300);
      const observer = await openStore(databaseUrl);
      await waitFor(async () => (await countProcessed(observer)) >= 40, 20_000);
      first.process.kill('SIGKILL');
      await once(first.process, 'exit');
      const accepted = await loading;
      expect(accepted.length).toBeGreaterThan(40);
      expect(await countProcessed(observer)).toBeLessThan(accepted.length);

      await startChild(databaseUrl);
      await waitFor(() => allStoredProcessed(observer), 30_000);
      await expectEveryAcceptedDeliveryDoneOnce(observer, accepted);
      await observer.close();
      testStore = { ...testStore, store: await openStore(databaseUrl) };
    },
    PROCESS_TEST_TIMEOUT,
  );

  it(
    'SIGTERM: stops accepting, finishes what it claimed, leaves the rest queued, exits 0',
    async () => {
      testStore = await createSqliteStore();
      const { databaseUrl, store } = testStore;
      await createEffectTables(store);
      const child = await startChild(databaseUrl, 300);
      const accepted = await sendLoad([child.url], 12);
      expect(accepted).toHaveLength(12);
      await waitFor(async () => {
        const running = await sql<{ n: number }>`select count(*) as n from test_executions`.execute(store.db);
        return Number(running.rows[0]?.n) > 0;
      }, 10_000);
      child.process.kill('SIGTERM');
      const [code] = (await once(child.process, 'exit')) as [number];
      expect(code).toBe(0);
      const rows = await store.db.selectFrom('deliveries').select(['status']).execute();
      expect(rows.filter((row) => row.status === 'processing')).toEqual([]);
      const unfinished = await sql<{
        n: number;
      }>`select count(*) as n from test_executions where finished_at is null`.execute(store.db);
      expect(Number(unfinished.rows[0]?.n)).toBe(0);
      expect(rows.filter((row) => row.status === 'processed').length).toBeGreaterThan(0);
      expect(rows.filter((row) => row.status === 'queued').length).toBeGreaterThan(0);
    },
    PROCESS_TEST_TIMEOUT,
  );

  it.skipIf(!process.env.TEST_DATABASE_URL)(
    'Postgres: two processes race for deliveries, one is killed, nothing runs twice at once',
    async () => {
      testStore = await createPostgresStore(process.env.TEST_DATABASE_URL!);
      const { databaseUrl, store } = testStore;
      await createEffectTables(store);
      const [a, b] = await Promise.all([startChild(databaseUrl), startChild(databaseUrl)]);
      const loading = sendLoad([a.url, b.url], 400);
      await waitFor(async () => (await countProcessed(store)) >= 60, 20_000);
      a.process.kill('SIGKILL');
      await once(a.process, 'exit');
      const accepted = await loading;
      expect(accepted.length).toBeGreaterThan(200);
      await waitFor(() => allStoredProcessed(store), 40_000);
      await expectEveryAcceptedDeliveryDoneOnce(store, accepted);
      const pids = await sql<{ pid: number }>`select distinct pid from test_executions`.execute(store.db);
      expect(pids.rows.length).toBe(2);
    },
    PROCESS_TEST_TIMEOUT,
  );
});
