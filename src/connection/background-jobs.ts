/**
 * Runs jobs on a timer in every process; each run is claimed through the database (see
 * schedules.ts), so however many processes tick, one of them runs it each period.
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { KeelError } from '../errors.js';
import type { Store } from '../store/database.js';
import { claimSchedule, finishSchedule, readSchedule } from './schedules.js';

export interface BackgroundJob {
  name: string;
  everyMs: number;
  /** Run on the first tick even when not due (still one run per process start). */
  runOnStart?: boolean;
  /** `lastSuccessAt`: start of the latest finished run of this job, by any process. */
  run(context: { startedAt: number; lastSuccessAt: number | null; stopping: () => boolean }): Promise<JobOutcome>;
}

/** A run cut short (Keel stopping) is not recorded as finished, so the next one covers its ground. */
export interface JobOutcome {
  finished: boolean;
  result: unknown;
}

export interface BackgroundJobsOptions {
  store: Store;
  jobs: readonly BackgroundJob[];
  log: Logger;
  /** How often each process checks whether a job is due. */
  tickMs: number;
  claimant?: string;
  now?: () => number;
}

export interface BackgroundJobs {
  start(): void;
  /** Clears the timer and waits for the run under way. */
  stop(): Promise<void>;
}

export function createBackgroundJobs(options: BackgroundJobsOptions): BackgroundJobs {
  const { store, jobs, log, tickMs, now = Date.now } = options;
  const claimant = options.claimant ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopping = false;
  let first = true;

  async function runJob(job: BackgroundJob, force: boolean): Promise<void> {
    const startedAt = now();
    const previous = await readSchedule(store, job.name);
    if (!(await claimSchedule(store, { name: job.name, everyMs: job.everyMs, now: startedAt, claimant, force }))) {
      return;
    }
    const outcome = await job.run({
      startedAt,
      lastSuccessAt: previous?.last_success_at ?? null,
      stopping: () => stopping,
    });
    if (outcome.finished) await finishSchedule(store, job.name, startedAt, outcome.result);
  }

  async function tick(): Promise<void> {
    const force = first;
    first = false;
    for (const job of jobs) {
      if (stopping) return;
      try {
        await runJob(job, force && job.runOnStart === true);
      } catch (error) {
        const reason = error instanceof KeelError ? `${error.message} Fix: ${error.remedy}` : String(error);
        log.error(
          { err: error, job: job.name },
          `Background job ${job.name} failed; it runs again when due: ${reason}`,
        );
      }
    }
  }

  function schedule(delay: number): void {
    timer = setTimeout(() => {
      running = tick().finally(() => {
        running = undefined;
        if (!stopping) schedule(tickMs);
      });
    }, delay);
    timer.unref();
  }

  return {
    start() {
      if (timer || stopping) return;
      schedule(0);
    },
    async stop() {
      stopping = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
