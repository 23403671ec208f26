/**
 * Diagnoses the failed jobs of one run attempt: each job's log is streamed from GitHub into
 * `diagnoseJobLog`, a few at a time, at most MAX_DIAGNOSED_JOBS per run. Logs GitHub no longer
 * keeps (410) or cannot serve are reported as such; transient failures are thrown for a retry.
 */
import { classifyGitHubError } from '../github/errors.js';
import type { KeelOctokit } from '../github/octokit.js';
import { diagnoseJobLog, diagnoseJobWithoutLog, type DiagnosedJob, type Diagnosis } from './diagnose.js';
import type { RepositoryRef } from '../github/repository.js';
import { openJobLog, type AttemptJob } from './github.js';

export const MAX_DIAGNOSED_JOBS = 30;
const LOG_CONCURRENCY = 4;
const FAILED_JOB_CONCLUSIONS: ReadonlySet<string> = new Set(['failure', 'timed_out', 'startup_failure']);

/** The jobs to explain: the failed ones, or the cancelled ones when nothing else failed. */
export function selectFailedJobs(jobs: readonly AttemptJob[]): AttemptJob[] {
  const failed = jobs.filter((job) => job.conclusion !== null && FAILED_JOB_CONCLUSIONS.has(job.conclusion));
  return failed.length > 0 ? failed : jobs.filter((job) => job.conclusion === 'cancelled');
}

export interface DiagnoseRunJobsOptions {
  octokit: KeelOctokit;
  ref: RepositoryRef;
  workflow: string;
  jobs: readonly AttemptJob[];
  maxJobs?: number;
}

export interface RunJobDiagnoses {
  diagnoses: Diagnosis[];
  /** Failed jobs past the cap, whose logs were not read. */
  notDiagnosed: number;
}

export async function diagnoseRunJobs({
  octokit,
  ref,
  workflow,
  jobs,
  maxJobs = MAX_DIAGNOSED_JOBS,
}: DiagnoseRunJobsOptions): Promise<RunJobDiagnoses> {
  const failed = selectFailedJobs(jobs);
  const read = failed.slice(0, maxJobs);
  const diagnoses = await mapInOrder(read, LOG_CONCURRENCY, (job) => diagnoseJob(octokit, ref, workflow, job));
  return { diagnoses, notDiagnosed: failed.length - read.length };
}

async function diagnoseJob(
  octokit: KeelOctokit,
  ref: RepositoryRef,
  workflow: string,
  job: AttemptJob,
): Promise<Diagnosis> {
  const diagnosed: DiagnosedJob = { id: job.id, name: job.name, conclusion: job.conclusion, steps: job.steps };
  const base = { workflow, job: diagnosed, logUrl: job.htmlUrl };
  // A job no runner picked up has no steps and no log.
  if (job.steps.length === 0) return diagnoseJobWithoutLog({ ...base, reason: 'never-started' });
  try {
    const lines = await openJobLog(octokit, ref, job.id);
    return await diagnoseJobLog({ ...base, lines });
  } catch (error) {
    const classifiedError = classifyGitHubError(error, ref.githubHost);
    if (classifiedError.transient) throw classifiedError;
    if (classifiedError.kind === 'gone') return diagnoseJobWithoutLog({ ...base, reason: 'log-expired' });
    return diagnoseJobWithoutLog({ ...base, reason: 'log-unavailable' });
  }
}

/** Runs `task` over `items` with at most `limit` at once; results keep the items' order. */
async function mapInOrder<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export interface RunWithoutJobs {
  workflow: string;
  conclusion: string;
  runUrl: string;
}

/** The diagnosis of a run that failed without a failed job (a startup failure: no job ran). */
export function diagnoseRunWithoutJobs({ workflow, conclusion, runUrl }: RunWithoutJobs): Diagnosis {
  return {
    workflow,
    job: { id: 0, name: workflow },
    failedStep: null,
    kind: 'unknown',
    tool: null,
    failures: [],
    failureCount: 0,
    excerpt: [],
    logUrl: runUrl,
    note:
      conclusion === 'startup_failure'
        ? 'The workflow could not start: GitHub rejected its file or a setting it needs (startup failure). The run page says why.'
        : 'The run failed without a failed job, so there is no log to read. The run page says why.',
  };
}
