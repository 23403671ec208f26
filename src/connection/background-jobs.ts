/**
 * Runs jobs on a timer in every process; each run is claimed through the database (see
 * schedules.ts), so however many processes tick, one of them runs it each period.
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { KeelError } from '../errors.js';
import type { Store } from '../store/database.js';
import { claimSchedule, finishSchedule, readSchedule, releaseSchedule } from './schedules.js';

export interface BackgroundJob {
  name: string;
  everyMs: number;
  /** Run on the first tick even when not due (still one run per process start). */
  runOnStart?: boolean;
  run(context: JobContext): Promise<JobOutcome>;
}

export interface JobContext {
  startedAt: number;
  /** Start of the latest finished run of this job, by any process. */
  lastSuccessAt: number | null;
  stopping: () => boolean;
  /**
   * Aborts when Keel stops: give it to every GitHub request of the run (`viewOctokit`), so a
   * stop cuts them at once instead of waiting for a slow or unreachable GitHub.
   */
  signal: AbortSignal;
}

/**
 * A run cut short (Keel stopping) is not recorded as finished, so the next one covers its ground;
 * neither is a run that returns `finished` after Keel began stopping, since its requests were cut.
 */
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
  /** Clears the timer, cuts the run under way short (its GitHub requests abort) and waits for it. */
  stop(): Promise<void>;
}

export function createBackgroundJobs(options: BackgroundJobsOptions): BackgroundJobs {
  const { store, jobs, log, tickMs, now = Date.now } = options;
  const claimant = options.claimant ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let first = true;
  const halt = new AbortController();
  const stopping = () => halt.signal.aborted;

  async function runJob(job: BackgroundJob, force: boolean): Promise<void> {
    const startedAt = now();
    const previous = await readSchedule(store, job.name);
    if (!(await claimSchedule(store, { name: job.name, everyMs: job.everyMs, now: startedAt, claimant, force }))) {
      return;
    }
    let outcome: JobOutcome;
    try {
      outcome = await job.run({
        startedAt,
        lastSuccessAt: previous?.last_success_at ?? null,
        stopping,
        signal: halt.signal,
      });
    } catch (error) {
      // An error caused by the stop (an aborted request) is the stop, not a failure of the job.
      if (!halt.signal.aborted) throw error;
      outcome = { finished: false, result: null };
    }
    if (halt.signal.aborted) {
      await releaseSchedule(store, job.name, claimant, startedAt);
      log.info({ job: job.name }, `${job.name} cut short by the stop; it is due again at once`);
    } else if (outcome.finished) await finishSchedule(store, job.name, startedAt, outcome.result);
  }

  async function tick(): Promise<void> {
    const force = first;
    first = false;
    for (const job of jobs) {
      if (stopping()) return;
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
        if (!stopping()) schedule(tickMs);
      });
    }, delay);
    timer.unref();
  }

  return {
    start() {
      if (timer || stopping()) return;
      schedule(0);
    },
    async stop() {
      if (timer) clearTimeout(timer);
      halt.abort();
      await running;
    },
  };
}
