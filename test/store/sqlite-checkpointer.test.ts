import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { insertDeliveries, type NewDelivery } from '../../src/inbox/deliveries.js';
import { BACKSTOP_PAGES } from '../../src/store/sqlite-checkpointer.js';
import { example } from '../../fixtures/index.js';
import { createSqliteStore, type TestStore } from '../helpers/store.js';

describe('SQLite checkpoints', () => {
  let testStore: TestStore | undefined;
  afterEach(async () => {
    await testStore?.cleanup();
    testStore = undefined;
  });

  function deliveries(count: number, from: number): NewDelivery[] {
    const payload = Buffer.from(JSON.stringify(example('pull_request.opened')));
    return Array.from({ length: count }, (_, index) => ({
      id: `d-${from + index}`,
      event: 'pull_request',
      action: 'opened',
      installationId: 1,
      repository: 'acme/app',
      payload,
      status: 'queued' as const,
      receivedAt: 1_760_000_000_000,
    }));
  }

  it('copy the write-ahead log into the database file in the background, long before the backstop', async () => {
    testStore = await createSqliteStore();
    const file = testStore.databaseUrl.slice('file:'.length);
    const before = statSync(file).size;
    for (let batch = 0; batch < 10; batch++) await insertDeliveries(testStore.store, deliveries(50, batch * 50));
    const walPages = statSync(`${file}-wal`).size / 4096;
    await expect.poll(() => statSync(file).size, { timeout: 5_000 }).toBeGreaterThan(before + 500 * 2_000);
    expect(walPages).toBeLessThan(BACKSTOP_PAGES);
  });

  it('stop with the store', async () => {
    testStore = await createSqliteStore();
    await insertDeliveries(testStore.store, deliveries(10, 0));
    await testStore.store.close();
    const file = testStore.databaseUrl.slice('file:'.length);
    // The last connection to close checkpoints the log and removes it: the thread's is closed too.
    expect(() => statSync(`${file}-wal`)).toThrow(/ENOENT/);
  });

  it('let a process that closes its store exit normally', async () => {
    testStore = await createSqliteStore();
    await testStore.store.close();
    const script = `import { openStore } from './src/store/database.ts';
      const store = await openStore(${JSON.stringify(testStore.databaseUrl)});
      await store.close();
      console.log('closed');`;
    const { stdout } = await promisify(execFile)(process.execPath, [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      script,
    ]);
    expect(stdout.trim()).toBe('closed');
  });
});
