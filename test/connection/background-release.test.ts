import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createBackgroundJobs, type BackgroundJob } from '../../src/connection/background-jobs.js';
import { readSchedule } from '../../src/connection/schedules.js';
import { createSqliteStore, type TestStore } from '../helpers/store.js';

let testStore: TestStore | undefined;
afterEach(async () => {
  await testStore?.cleanup();
  testStore = undefined;
});

const HOUR = 60 * 60 * 1000;

/** A job that runs until Keel stops, like an hourly verification waiting on an unreachable GitHub. */
function hangingJob(started: () => void): BackgroundJob {
  return {
    name: 'hourly-verification',
    everyMs: HOUR,
    runOnStart: true,
    run: ({ signal }) =>
      new Promise((_, reject) => {
        started();
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      }),
  };
}

describe('a background job cut short by a stop', () => {
  it('is due again at once instead of an hour later, so the next start runs it', async () => {
    testStore = await createSqliteStore();
    const { store } = testStore;
    const clock = 1_800_000_000_000;
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const jobs = createBackgroundJobs({
      store,
      jobs: [hangingJob(() => started())],
      log: pino({ level: 'silent' }),
      tickMs: 10,
      now: () => clock,
    });
    jobs.start();
    await running;
    expect((await readSchedule(store, 'hourly-verification'))?.next_run_at).toBe(clock + HOUR);

    await jobs.stop();

    const schedule = await readSchedule(store, 'hourly-verification');
    expect(schedule).toMatchObject({ next_run_at: clock, claimed_by: null, last_success_at: null });
  });
});
