/**
 * The repair a failed run starts when its log matched a row of the retirement table. The CI
 * diagnosis reads the log (repair's token has no `actions: read`) and calls this before it writes,
 * so what it links is the repair pull request as it stands after this repair.
 */
import type { EmitterWebhookEvent } from '@octokit/webhooks';
import type { CapabilityDeps } from '../capability-deps.js';
import { classifyGitHubError } from '../github/errors.js';
import { repairRepository } from './repair-repository.js';
import { queueRepair } from './store.js';

type WorkflowRunPayload = EmitterWebhookEvent<'workflow_run.completed'>['payload'];

/**
 * What the diagnosis says when no repair pull request is open after this repair: the dry run's
 * signed page, a failure and when it is retried (`hourly`: queued for the drain; `weekly`: the
 * sweep), or nothing particular (switched off, past the hourly cap, nothing to change).
 */
export type RepairPending =
  { kind: 'dry-run'; detailsUrl: string } | { kind: 'failed'; retry: 'hourly' | 'weekly' } | { kind: 'other' };

/**
 * Repairs the run's repository; repair asks its own gate, `.github/keel.yml` and hourly cap, and
 * writes through its own narrowed token. Runs and pushes are keyed apart in the inbox
 * (`workflow:`/`pr:` vs `repo:`), so a push's repair may run at the same moment: repair's writes
 * tolerate that (one branch, one pull request found by branch). A repair that fails is logged and
 * the caller's diagnosis goes on; one that failed on something transient (GitHub 5xx, rate limit,
 * network) is queued for the hourly drain rather than left a week to the sweep.
 */
export async function repairAfterRetirement(
  ciDeps: CapabilityDeps,
  payload: WorkflowRunPayload,
): Promise<RepairPending> {
  const log = ciDeps.log.child({ name: 'repair' });
  const where = { repository: payload.repository.full_name, run: payload.workflow_run.id };
  if (!payload.installation) return { kind: 'other' };
  const installationId = payload.installation.id;
  const { id, name, default_branch: defaultBranch } = payload.repository;
  const owner = payload.repository.owner.login;
  try {
    const outcome = await repairRepository(
      { ...ciDeps, log },
      { installationId, repository: { id, owner, name, defaultBranch }, trigger: 'failed-run' },
    );
    log.info({ ...where, outcome: outcome.kind }, 'Repair after a retirement in a run log');
    return outcome.kind === 'dry-run' && outcome.detailsUrl
      ? { kind: 'dry-run', detailsUrl: outcome.detailsUrl }
      : { kind: 'other' };
  } catch (error) {
    if (!classifyGitHubError(error, ciDeps.config.githubHost).transient) {
      log.warn({ err: error, ...where }, 'Repair after a failed run failed; the weekly sweep tries again');
      return { kind: 'failed', retry: 'weekly' };
    }
    const queued = { repositoryId: id, installationId, owner, name, trigger: 'failed-run' };
    await queueRepair(ciDeps.store, queued, (ciDeps.now ?? Date.now)());
    log.warn({ err: error, ...where }, 'Repair after a failed run failed; queued for the hourly drain');
    return { kind: 'failed', retry: 'hourly' };
  }
}
