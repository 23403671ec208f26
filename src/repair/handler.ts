/**
 * When repair runs: a repository joins the installation, a push to the default branch touches
 * `.github/workflows/`, or a run on the default branch fails (its log may name a retirement;
 * the scan decides, at the cost of conditional reads when nothing changed).
 */
import type { EmitterWebhookEvent } from '@octokit/webhooks';
import type { CapabilityDeps } from '../capability-deps.js';
import { openOnboarding } from './onboarding.js';
import { repairRepository, type RepairTarget } from './repair-repository.js';

type PushPayload = EmitterWebhookEvent<'push'>['payload'];
type WorkflowRunPayload = EmitterWebhookEvent<'workflow_run.completed'>['payload'];
type InstallationPayload = EmitterWebhookEvent<'installation.created'>['payload'];
type RepositoriesAddedPayload = EmitterWebhookEvent<'installation_repositories.added'>['payload'];

const WORKFLOWS = /^\.github\/workflows\/[^/]+\.ya?ml$/;

/** True when a push to the default branch added, changed or removed a workflow file. */
export function touchesWorkflows(payload: PushPayload): boolean {
  if (payload.deleted || payload.ref !== `refs/heads/${payload.repository.default_branch}`) return false;
  return payload.commits.some((commit) =>
    [...(commit.added ?? []), ...(commit.modified ?? []), ...(commit.removed ?? [])].some((path) =>
      WORKFLOWS.test(path),
    ),
  );
}

export async function handlePush(deps: CapabilityDeps, payload: PushPayload): Promise<void> {
  if (!payload.installation || !touchesWorkflows(payload)) return;
  const outcome = await repairRepository(deps, {
    installationId: payload.installation.id,
    repository: {
      id: payload.repository.id,
      owner: payload.repository.owner?.login ?? payload.repository.full_name.split('/')[0] ?? '',
      name: payload.repository.name,
      defaultBranch: payload.repository.default_branch,
    },
    trigger: 'push',
  });
  deps.log.debug({ repository: payload.repository.full_name, outcome }, 'Repair after a push');
}

export async function handleFailedRun(deps: CapabilityDeps, payload: WorkflowRunPayload): Promise<void> {
  const run = payload.workflow_run;
  if (!payload.installation || run.conclusion !== 'failure' || run.head_branch !== payload.repository.default_branch)
    return;
  await repairRepository(deps, {
    installationId: payload.installation.id,
    repository: {
      id: payload.repository.id,
      owner: payload.repository.owner.login,
      name: payload.repository.name,
      defaultBranch: payload.repository.default_branch,
    },
    trigger: 'failed-run',
  });
}

interface JoinedRepository {
  id: number;
  name: string;
  full_name: string;
}

/** Repositories that joined: each gets its first repair and, without a configuration, the onboarding pull request. */
export async function handleJoined(
  deps: CapabilityDeps,
  payload: InstallationPayload | RepositoriesAddedPayload,
  repositories: readonly JoinedRepository[],
  allows: (fullName: string) => Promise<boolean>,
): Promise<void> {
  const owner =
    payload.installation.account && 'login' in payload.installation.account ? payload.installation.account.login : '';
  for (const joined of repositories) {
    if (!(await allows(joined.full_name))) continue;
    const target: RepairTarget = {
      installationId: payload.installation.id,
      repository: { id: joined.id, owner: joined.full_name.split('/')[0] ?? owner, name: joined.name },
      trigger: 'installation',
    };
    const outcome = await repairRepository(deps, target);
    await openOnboarding(deps, target, outcome);
  }
}
