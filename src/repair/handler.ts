/**
 * When repair runs on webhooks: a repository joins the installation, or a push to the default
 * branch touches `.github/workflows/`. (A failed run whose log names a retirement reaches repair
 * through the CI diagnosis, src/ci/handler.ts: repair's token cannot read logs.)
 */
import type { EmitterWebhookEvent } from '@octokit/webhooks';
import type { CapabilityDeps } from '../capability-deps.js';
import { openOnboarding } from './onboarding.js';
import { repairRepository, type RepairTarget } from './repair-repository.js';

type PushPayload = EmitterWebhookEvent<'push'>['payload'];
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
