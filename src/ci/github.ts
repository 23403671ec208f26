/**
 * The GitHub reads the CI capability makes, each failure classified once: transient ones (5xx,
 * network, rate limit) reach the inbox as retryable GitHubErrors; Keel's own refusals pass as is.
 */
import type { KeelOctokit } from '../github/octokit.js';
import { classified, type RepositoryRef } from '../github/repository.js';
import type { JobStep } from './diagnose.js';

export interface AttemptJob {
  id: number;
  name: string;
  status: string;
  conclusion: string | null;
  steps: JobStep[];
  /** The job's page on GitHub (its log view). */
  htmlUrl: string;
}

/** Every job of one attempt of a run, 100 a page. */
export function listAttemptJobs(
  octokit: KeelOctokit,
  ref: RepositoryRef,
  runId: number,
  attempt: number,
): Promise<AttemptJob[]> {
  return classified(ref.githubHost, async () => {
    const jobs = await octokit.paginate(
      'GET /repos/{owner}/{repo}/actions/runs/{run_id}/attempts/{attempt_number}/jobs',
      {
        owner: ref.owner,
        repo: ref.repo,
        run_id: runId,
        attempt_number: attempt,
        per_page: 100,
      },
    );
    return jobs.map((job) => ({
      id: job.id,
      name: job.name,
      status: job.status,
      conclusion: job.conclusion,
      steps: (job.steps ?? []).map((step) => ({ name: step.name, number: step.number, conclusion: step.conclusion })),
      htmlUrl: job.html_url ?? '',
    }));
  });
}

/**
 * The job's raw log as a stream of bytes. GitHub answers 302 to a short-lived download URL; the
 * redirect is followed (without Keel's token) and the body is handed over unread, never buffered.
 * A log past its retention throws GitHubError kind `gone` (410).
 */
export function openJobLog(
  octokit: KeelOctokit,
  ref: RepositoryRef,
  jobId: number,
): Promise<AsyncIterable<Uint8Array>> {
  return classified(ref.githubHost, async () => {
    const response = await octokit.request('GET /repos/{owner}/{repo}/actions/jobs/{job_id}/logs', {
      owner: ref.owner,
      repo: ref.repo,
      job_id: jobId,
      request: { parseSuccessResponseBody: false },
    });
    const body: unknown = response.data;
    if (body === null || typeof body !== 'object' || !(Symbol.asyncIterator in body)) {
      // An empty log (204) or a body already read: nothing to stream.
      return emptyLog();
    }
    return body as AsyncIterable<Uint8Array>;
  });
}

async function* emptyLog(): AsyncGenerator<Uint8Array> {
  // Nothing to yield.
}

export interface CommitRun {
  id: number;
  workflowId: number;
  name: string;
  path: string;
  event: string;
  status: string | null;
  conclusion: string | null;
  runNumber: number;
  runAttempt: number;
}

/** Every workflow run of a commit (each with its latest attempt), 100 a page. */
export function listCommitRuns(octokit: KeelOctokit, ref: RepositoryRef, headSha: string): Promise<CommitRun[]> {
  return classified(ref.githubHost, async () => {
    const runs = await octokit.paginate('GET /repos/{owner}/{repo}/actions/runs', {
      owner: ref.owner,
      repo: ref.repo,
      head_sha: headSha,
      per_page: 100,
    });
    return runs.map((run) => ({
      id: run.id,
      workflowId: run.workflow_id,
      name: run.name ?? '',
      path: run.path,
      event: run.event,
      status: run.status,
      conclusion: run.conclusion,
      runNumber: run.run_number,
      runAttempt: run.run_attempt ?? 1,
    }));
  });
}

export interface CommitPull {
  number: number;
  state: string;
  headSha: string;
}

/** The pull requests GitHub associates with a commit (one request: the first 100). */
export function listCommitPulls(octokit: KeelOctokit, ref: RepositoryRef, sha: string): Promise<CommitPull[]> {
  return classified(ref.githubHost, async () => {
    const { data } = await octokit.request('GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls', {
      owner: ref.owner,
      repo: ref.repo,
      commit_sha: sha,
      per_page: 100,
    });
    return data.map((pull) => ({ number: pull.number, state: pull.state, headSha: pull.head.sha }));
  });
}
