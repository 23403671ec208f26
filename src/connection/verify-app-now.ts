/**
 * Checks the app's own credentials (`GET /app` with its JWT) for someone waiting on the answer:
 * what `keel verify` reports when there is no installation to verify, so a wrong APP_ID or
 * PRIVATE_KEY, or an unreachable GitHub, is never "all is well", and what /readyz's GitHub check
 * shows (through createGitHubCheck, which keeps its answer a minute).
 */
import { createTimedFetch } from '../github/octokit.js';
import { viewOctokit } from './octokit-view.js';
import { checkAppCredentials } from './verify/checks/check-app-credentials.js';
import { resolveGitHubHost } from './verify/resolve-github-host.js';
import type { CheckResult } from './verify/types.js';
import { INTERACTIVE_TIMEOUT_MS, makeInteractive, type VerifierServices } from './verify-and-store.js';

export async function verifyAppNow(
  services: Pick<VerifierServices, 'probot' | 'config'>,
  { timeoutMs = INTERACTIVE_TIMEOUT_MS }: { timeoutMs?: number } = {},
): Promise<CheckResult> {
  // A view: Probot hands every caller the same app client, which must not keep this one's hooks.
  const appOctokit = makeInteractive(viewOctokit(await services.probot.auth()), createTimedFetch(timeoutMs));
  const { check } = await checkAppCredentials({ appOctokit, host: resolveGitHubHost(services.config.githubApiUrl) });
  return check;
}
