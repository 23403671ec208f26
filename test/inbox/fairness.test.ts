/**
 * Hung work must not hold every slot: with more than one slot, one installation's deliveries
 * occupy at most all but one, so other installations' deliveries (and those without an
 * installation) still run while its handlers hang.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteStore, type TestStore } from '../helpers/store.js';
import { createHarness, waitUntil } from './inbox-harness.js';

describe('fairness between installations', () => {
  let testStore: TestStore;
  const { clock, enqueue, handOver, gatedWorker } = createHarness(() => testStore.store);

  beforeEach(async () => {
    testStore = await createSqliteStore();
    clock.now = 1_700_000_000_000;
  });
  afterEach(() => testStore.cleanup());

  const hangsOnInstallation1 = (id: string) => id.startsWith('hung-');

  it('deliveries claimed from the store: one installation hung on every slot it may take leaves one for the others', async () => {
    const { inbox, started, finished, running, releaseAll } = gatedWorker({ concurrency: 4 }, hangsOnInstallation1);
    for (let index = 0; index < 6; index++) await enqueue(`hung-${index}`, { installationId: 1 });
    await enqueue('other-installation', { installationId: 2 });
    await enqueue('no-installation');
    inbox.start();
    await waitUntil(
      () => finished.includes('other-installation') && finished.includes('no-installation'),
      'the other deliveries run',
    );
    expect(running()).toEqual(['hung-0', 'hung-1', 'hung-2']);
    releaseAll();
    await inbox.idle();
    expect(started).toHaveLength(8);
    await inbox.stop();
  });

  it('deliveries handed over by the receiver: the same share applies', async () => {
    const { inbox, finished, running, releaseAll } = gatedWorker({ concurrency: 4 }, hangsOnInstallation1);
    inbox.start();
    for (let index = 0; index < 6; index++) await handOver(inbox, `hung-${index}`, { installationId: 1 });
    await handOver(inbox, 'other-installation', { installationId: 2 });
    await handOver(inbox, 'no-installation');
    await waitUntil(
      () => finished.includes('other-installation') && finished.includes('no-installation'),
      'the other deliveries run',
    );
    expect(running()).toEqual(['hung-0', 'hung-1', 'hung-2']);
    releaseAll();
    await inbox.idle();
    await inbox.stop();
  });

  it('with a single slot, one installation may take it (nothing else could run at all)', async () => {
    const { inbox, finished } = gatedWorker({ concurrency: 1 }, () => false);
    await enqueue('a', { installationId: 1 });
    await enqueue('b', { installationId: 1 });
    inbox.start();
    await inbox.idle();
    expect(finished).toEqual(['a', 'b']);
    await inbox.stop();
  });
});
