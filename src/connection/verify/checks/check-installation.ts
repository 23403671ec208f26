import { classifyGitHubError } from '../../../github/errors.js';
import { installationSettingsUrl } from '../installation-settings-url.js';
import type { GitHubHost } from '../resolve-github-host.js';
import type { CheckResult, ProbotOctokitInstance } from '../types.js';
import { failedCheckFromError, passedCheck } from './check-result.js';
import { compactPermissions } from './compact-permissions.js';

export interface InstallationFacts {
  account: { login: string; type: string } | undefined;
  selection: 'all' | 'selected';
  permissions: Record<string, string>;
  events: string[];
  suspended: boolean;
  /** Where an owner manages this installation on GitHub. */
  settingsUrl: string;
}

export interface CheckInstallationOptions {
  appOctokit: ProbotOctokitInstance;
  installationId: number;
  host: GitHubHost;
  appSlug: string | undefined;
}

function describeAccount(account: { login: string; type: string } | undefined): string {
  return account ? `${account.login} (${account.type})` : 'an unknown account';
}

/** `GET /app/installations/{id}`: the installation exists and is not suspended. */
export async function checkInstallation({
  appOctokit,
  installationId,
  host,
  appSlug,
}: CheckInstallationOptions): Promise<{
  check: CheckResult;
  installation?: InstallationFacts;
}> {
  let data;
  try {
    ({ data } = await appOctokit.request('GET /app/installations/{installation_id}', {
      installation_id: installationId,
    }));
  } catch (error) {
    if (classifyGitHubError(error, host.apiHost).kind !== 'not-found') {
      return {
        check: failedCheckFromError('installation', error, host.apiHost),
      };
    }
    const installUrl = appSlug ? `${host.webBase}/apps/${appSlug}/installations/new` : "the app's public page";
    const check: CheckResult = {
      name: 'installation',
      status: 'fail',
      finding: `Installation ${installationId} does not exist: Keel was uninstalled from this account.`,
      remedy: `An organization owner installs Keel again from ${installUrl} (members can only request the app).`,
      kind: 'not-found',
    };
    return { check };
  }

  const account =
    data.account && 'login' in data.account
      ? { login: data.account.login, type: data.account.type }
      : data.account
        ? { login: data.account.slug, type: 'Enterprise' }
        : undefined;
  const settingsUrl = installationSettingsUrl({
    webBase: host.webBase,
    installationId,
    account,
    htmlUrl: data.html_url,
  });
  const permissions = compactPermissions(data.permissions);
  const installation: InstallationFacts = {
    account,
    selection: data.repository_selection,
    permissions,
    events: data.events,
    suspended: Boolean(data.suspended_at),
    settingsUrl,
  };
  if (data.suspended_at) {
    const by = data.suspended_by ? ` by ${data.suspended_by.login}` : '';
    const check: CheckResult = {
      name: 'installation',
      status: 'fail',
      finding: `Installation ${installationId} on ${describeAccount(account)} is suspended since ${data.suspended_at}${by}.`,
      remedy: `An owner of ${account?.login ?? 'the account'} unsuspends Keel at ${settingsUrl}.`,
      kind: 'suspended',
    };
    return { check, installation };
  }
  const check = passedCheck(
    'installation',
    `Installed on ${describeAccount(account)} with ${data.repository_selection === 'all' ? 'all repositories' : 'selected repositories'}.`,
  );
  return { check, installation };
}
