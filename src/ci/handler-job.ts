/**
 * The workflow_job handler: a job that passes on a commit where a job of the same name failed
 * before (a re-run) makes that failure's tests flaky. Store only; no GitHub request.
 */
import type { EmitterWebhookEvent } from '@octokit/webhooks';
import type { Logger } from 'pino';
import type { Store } from '../store/database.js';
import { recordFlakyFailures } from './record-flaky.js';

export type WorkflowJobPayload = EmitterWebhookEvent<'workflow_job.completed'>['payload'];

export interface JobHandlerDeps {
  store: Store;
  log: Logger;
  now?: () => number;
}

export async function handleWorkflowJob(deps: JobHandlerDeps, payload: WorkflowJobPayload): Promise<void> {
  const job = payload.workflow_job;
  if (job.conclusion !== 'success') return;
  const recorded = await recordFlakyFailures(
    deps.store,
    {
      repositoryId: payload.repository.id,
      headSha: job.head_sha,
      job: { name: job.name, workflow: job.workflow_name ?? undefined, passedJobId: job.id },
    },
    (deps.now ?? Date.now)(),
  );
  if (recorded > 0) {
    deps.log.info(
      { repository: payload.repository.full_name, job: job.name, sha: job.head_sha, tests: recorded },
      'Job passed after failing on the same commit; its failing tests are recorded as flaky',
    );
  }
}
