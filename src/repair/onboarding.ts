/**
 * The "Configure Keel" pull request: when a repository without `.github/keel.yml` (and without an
 * organization-level one) joins, one pull request on `keel/configure` adds the file with every
 * option at its default. Closed unmerged, it is never reopened; `onboarding: false` in the
 * organization's `.github` repository turns it off (as does any organization-level file). Past
 * the installation's hourly cap it is queued, and the hourly drain opens it.
 */
import { permissionsOf } from '../capabilities.js';
import type { CapabilityDeps } from '../capability-deps.js';
import type { RepositoryRef } from '../github/repository.js';
import { REPO_CONFIG_PATH } from '../repo-config/schema.js';
import { listBotPullRequests } from './github.js';
import { BaseMovedError, commitToBranch, openPullRequest } from './github-writes.js';
import type { RepairOutcome, RepairTarget } from './repair-repository.js';
import { queueRepair, reserveOpening } from './store.js';

export const ONBOARDING_BRANCH = 'keel/configure';
export const ONBOARDING_TITLE = 'Configure Keel';
const MARKER = '<!-- keel:configure -->';

export const CONFIG_TEMPLATE = `# Keel's configuration for this repository: every option, at its default.
# Delete what you do not change; a key left out keeps its default.
prChecks:
  rules:
    secrets: true          # fail the keel/pr-checks status on secrets added by the pull request
    conflictMarkers: true  # fail on leftover merge conflict markers
    workflowRisks: true    # flag risky workflow changes (pull_request_target, untrusted checkouts)
    size: true             # flag pull requests changing more than maxChangedLines
    title: true            # check the title against titlePattern, when set
  maxChangedLines: 1000    # lines changed before the size rule flags a pull request
  # titlePattern: '^(feat|fix|docs|chore)(\\(.+\\))?: '  # a regular expression titles must match (unset: any title)
  ignorePaths: []          # globs of files the checks skip
  # workflowAudits: { template-injection: error, unpinned-uses: off }  # per audit: error, warning or off
ci:
  comment: true            # one comment per pull request explaining its failed runs, kept up to date
  trackDefaultBranch: true # one issue per workflow while the default branch is red
  ignoreWorkflows: []      # workflow names or files Keel does not diagnose
repair:
  mode: pull-request       # pull-request: one pull request repairing retired workflow uses; dry-run: list only
commands: true             # answer /keel commands in issues and pull requests
onboarding: true           # read from the organization's .github repository: false stops these pull requests
`;

export function renderOnboardingBody(outcome: RepairOutcome): string {
  const scan =
    outcome.findings === 0
      ? 'A first scan found nothing GitHub retired in your workflows.'
      : `A first scan found ${outcome.findings} use${outcome.findings === 1 ? '' : 's'} of actions, runners or commands GitHub retired or is retiring in ${outcome.files ?? 0} workflow${outcome.files === 1 ? '' : 's'}${outcome.pullRequestUrl ? `; ${outcome.pullRequestUrl} repairs them` : ''}.`;
  return [
    'Keel is installed on this repository. This pull request adds `.github/keel.yml` with every option at its default, so you can see and change what Keel does here:',
    '',
    '- **Statuses**: `keel/pr-checks` on every pull request (secrets, conflict markers, risky workflow changes, size, title), and `keel/ci` when a run fails.',
    '- **Comments**: one comment per pull request explaining failed runs, kept up to date; one issue per workflow while the default branch is red.',
    '- **Repair**: one pull request from `keel/repair-workflows` when workflows use something GitHub retired. Keel never merges anything and never pushes to your default branch.',
    '',
    scan,
    '',
    'To turn something off, set it to `false` in the file (for example `repair: false`), or ask an admin to switch the service off in Keel’s console. Merging this pull request is optional: without the file Keel uses these same defaults. Closing it means Keel will not open it again; `onboarding: false` in your organization’s `.github` repository stops it for every new repository.',
    '',
    MARKER,
  ].join('\n');
}

/** Opens the onboarding pull request when the repository has no configuration and never had one proposed. */
export async function openOnboarding(
  deps: CapabilityDeps,
  target: RepairTarget,
  outcome: RepairOutcome,
): Promise<boolean> {
  if (outcome.configSource !== 'defaults' || !outcome.defaultBranch) return false;
  const { installationId, repository } = target;
  const octokit = await deps.tokens.octokitFor({
    installationId,
    repositoryIds: [repository.id],
    permissions: permissionsOf('repair'),
  });
  const ref: RepositoryRef = { owner: repository.owner, repo: repository.name, githubHost: deps.config.githubHost };
  const listed = await listBotPullRequests(octokit, ref, ONBOARDING_BRANCH, null);
  if (!listed.notModified && listed.value.length > 0) return false;
  const now = (deps.now ?? Date.now)();
  if (
    !(await reserveOpening(deps.store, { installationId, repositoryId: repository.id, branch: ONBOARDING_BRANCH }, now))
  ) {
    // Queued as a joining repository: the hourly drain repairs it again (conditional reads) and
    // then opens this pull request, once the installation is under its cap.
    await queueRepair(
      deps.store,
      {
        repositoryId: repository.id,
        installationId,
        owner: repository.owner,
        name: repository.name,
        trigger: 'installation',
      },
      now,
    );
    deps.log.info(
      { repository: `${repository.owner}/${repository.name}` },
      'Hourly pull request cap reached; onboarding pull request queued',
    );
    return false;
  }
  try {
    await commitToBranch(octokit, ref, {
      base: outcome.defaultBranch,
      branch: ONBOARDING_BRANCH,
      message: 'Configure Keel\n\nAdd .github/keel.yml with every option at its default.',
      files: [{ path: REPO_CONFIG_PATH, text: CONFIG_TEMPLATE, basedOn: null }],
    });
  } catch (error) {
    if (!(error instanceof BaseMovedError)) throw error;
    // Someone added the file since Keel looked: the repository is configured, nothing to propose.
    deps.log.info(
      { repository: `${repository.owner}/${repository.name}` },
      'Configuration added meanwhile; no onboarding pull request',
    );
    return false;
  }
  await openPullRequest(octokit, ref, {
    title: ONBOARDING_TITLE,
    body: renderOnboardingBody(outcome),
    head: ONBOARDING_BRANCH,
    base: outcome.defaultBranch,
  });
  return true;
}
