import { KeelError } from '../../../errors.js';
import { statusOf } from '../../../github/errors.js';
import { createConfigCache } from '../../../repo-config/config-cache.js';
import { loadRepoConfig } from '../../../repo-config/load-repo-config.js';
import { REPO_CONFIG_PATH } from '../../../repo-config/schema.js';
import type { CheckResult, ProbotOctokitInstance } from '../types.js';
import { failedCheckFromError, passedCheck, skippedCheck } from './check-result.js';

export interface CheckOrgConfigOptions {
  installationOctokit: ProbotOctokitInstance;
  account: { login: string; type: string };
  /** `owner/name` of every repository the installation can see. */
  fullNames: readonly string[];
  /** Whether the token may read contents (the installation grants contents). */
  canReadContents: boolean;
  settingsUrl: string;
  apiHost: string;
}

function warn(finding: string, remedy: string): CheckResult {
  return { name: 'org-config', status: 'warn', finding, remedy };
}

/**
 * Organization-wide configuration: repositories without their own `.github/keel.yml` fall back to
 * the one in the organization's `.github` repository, which Keel reads only when that repository
 * is among those the installation may see. One or two requests.
 */
export async function checkOrgConfig(options: CheckOrgConfigOptions): Promise<CheckResult> {
  const { installationOctokit, account, fullNames, canReadContents, settingsUrl, apiHost } = options;
  if (account.type !== 'Organization') return skippedCheck('org-config', 'not an organization');
  const org = account.login;
  const where = `${org}/.github`;
  const select = `Add ${where} to the repositories Keel may see under Repository access at ${settingsUrl}.`;
  if (!fullNames.some((name) => name.toLowerCase() === where.toLowerCase())) {
    try {
      await installationOctokit.request('GET /repos/{owner}/{repo}', { owner: org, repo: '.github' });
    } catch (error) {
      if (statusOf(error) !== 404) return { ...failedCheckFromError('org-config', error, apiHost), status: 'warn' };
      return passedCheck(
        'org-config',
        `No ${where} repository Keel can see: each repository uses its own ${REPO_CONFIG_PATH} or the defaults (a private ${where} must be selected to be read).`,
      );
    }
    return warn(
      `${org} has a .github repository that is not among the selected repositories: organization-wide ${REPO_CONFIG_PATH} there is never read.`,
      select,
    );
  }
  if (!canReadContents) {
    return warn(
      `${where} is selected but the installation does not grant contents: read, so its ${REPO_CONFIG_PATH} cannot be read.`,
      `An organization owner accepts contents: read under Settings → GitHub Apps → Keel at ${settingsUrl}.`,
    );
  }
  try {
    const { source } = await loadRepoConfig({
      octokit: installationOctokit,
      owner: org,
      repo: '.github',
      cache: createConfigCache(),
      githubHost: apiHost,
    });
    return passedCheck(
      'org-config',
      source.kind === 'defaults'
        ? `${where} is selected; it has no ${REPO_CONFIG_PATH}, so repositories without their own use the defaults.`
        : `Organization-wide configuration read from ${where}:${REPO_CONFIG_PATH}.`,
    );
  } catch (error) {
    if (error instanceof KeelError) {
      return warn(`Organization-wide configuration cannot be read: ${error.message}`, error.remedy);
    }
    return { ...failedCheckFromError('org-config', error, apiHost), status: 'warn' };
  }
}
