import { classifyGitHubError } from '../../../github/errors.js';
import type { GitHubHost } from '../resolve-github-host.js';
import type { CheckResult, ProbotOctokitInstance } from '../types.js';
import { failedCheckFromError, passedCheck } from './check-result.js';
import { compactPermissions } from './compact-permissions.js';

export interface AppRegistration {
  slug: string | undefined;
  name: string;
  /** What the registration requests; installations may not have accepted all of it yet. */
  permissions: Record<string, string>;
  events: string[];
}

export interface CheckAppCredentialsOptions {
  appOctokit: ProbotOctokitInstance;
  host: GitHubHost;
}

/** `GET /app` with the app's JWT: proves APP_ID and PRIVATE_KEY belong together. */
export async function checkAppCredentials({ appOctokit, host }: CheckAppCredentialsOptions): Promise<{
  check: CheckResult;
  app?: AppRegistration;
}> {
  try {
    const { data } = await appOctokit.request('GET /app');
    if (!data) throw new Error('GET /app answered without an app');
    // The 200 proves the credentials; a registration answered without its permissions or events
    // (a stand-in API, /readyz's smoke test) requests none rather than failing the check.
    const permissions = compactPermissions(data.permissions ?? {});
    const app = {
      slug: data.slug,
      name: data.name,
      permissions,
      events: data.events ?? [],
    };
    const check = passedCheck(
      'app-credentials',
      `${host.apiHost} accepts the credentials of app ${data.id} (${data.name})`,
    );
    return { check, app };
  } catch (error) {
    if (classifyGitHubError(error, host.apiHost).kind !== 'not-found') {
      return {
        check: failedCheckFromError('app-credentials', error, host.apiHost),
      };
    }
    const check: CheckResult = {
      name: 'app-credentials',
      status: 'fail',
      finding: `${host.apiHost} knows no GitHub App for this APP_ID and private key (GET /app answered 404).`,
      remedy:
        "Set APP_ID to the numeric App ID shown on the app's settings page (not its client ID or an installation ID), and PRIVATE_KEY to a key generated for that app.",
      kind: 'not-found',
    };
    return { check };
  }
}
