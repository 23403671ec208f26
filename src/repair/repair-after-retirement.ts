/**
 * The repair a failed run starts when its log matched a row of the retirement table. The CI
 * diagnosis reads the log (repair's token has no `actions: read`) and calls this before it writes,
 * so what it links is the repair pull request as it stands after this repair.
 */
import type { EmitterWebhookEvent } from '@octokit/webhooks';
import type { CapabilityDeps } from '../capability-deps.js';
import { repairRepository } from './repair-repository.js';

type WorkflowRunPayload = EmitterWebhookEvent<'workflow_run.completed'>['payload'];

/**
 * Repairs the run's repository; repair asks its own gate, `.github/keel.yml` and hourly cap, and
 * writes through its own narrowed token. Runs and pushes are keyed apart in the inbox
 * (`workflow:`/`pr:` vs `repo:`), so a push's repair may run at the same moment: repair's writes
 * tolerate that (one branch, one pull request found by branch). A repair that fails is logged and
 * left to the weekly sweep: the caller's diagnosis goes on.
 */
export async function repairAfterRetirement(ciDeps: CapabilityDeps, payload: WorkflowRunPayload): Promise<void> {
  const log = ciDeps.log.child({ name: 'repair' });
  const where = { repository: payload.repository.full_name, run: payload.workflow_run.id };
  if (!payload.installation) return;
  try {
    const outcome = await repairRepository(
      { ...ciDeps, log },
      {
        installationId: payload.installation.id,
        repository: {
          id: payload.repository.id,
          owner: payload.repository.owner.login,
          name: payload.repository.name,
          defaultBranch: payload.repository.default_branch,
        },
        trigger: 'failed-run',
      },
    );
    log.info({ ...where, outcome: outcome.kind }, 'Repair after a retirement in a run log');
  } catch (error) {
    log.warn({ err: error, ...where }, 'Repair after a failed run failed; the weekly sweep tries again');
  }
}
