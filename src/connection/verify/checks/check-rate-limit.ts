import { classifyGitHubError } from '../../../github/errors.js';
import type { CheckResult, ProbotOctokitInstance } from '../types.js';
import { failedCheckFromError, passedCheck } from './check-result.js';

export interface CheckRateLimitOptions {
  installationOctokit: ProbotOctokitInstance;
  apiHost: string;
}

const LOW_SHARE = 0.1;

/** `GET /rate_limit` with the installation token (the call itself costs nothing). */
export async function checkRateLimit({ installationOctokit, apiHost }: CheckRateLimitOptions): Promise<CheckResult> {
  let core;
  try {
    ({
      data: {
        resources: { core },
      },
    } = await installationOctokit.request('GET /rate_limit'));
  } catch (error) {
    // GHES answers 404 when its administrator turned rate limiting off.
    if (classifyGitHubError(error, apiHost).kind === 'not-found') {
      return passedCheck('rate-limit', `Rate limiting is not enabled on ${apiHost}.`);
    }
    return failedCheckFromError('rate-limit', error, apiHost);
  }
  const resetAt = new Date(core.reset * 1000).toISOString();
  const finding = `${core.remaining} of ${core.limit} requests left this hour; resets at ${resetAt}.`;
  if (core.limit > 0 && core.remaining / core.limit < LOW_SHARE) {
    return {
      name: 'rate-limit',
      status: 'warn',
      finding,
      remedy: `Keel slows down until ${resetAt}; if this recurs, look in the logs for the repositories or capabilities using most requests.`,
    };
  }
  return passedCheck('rate-limit', finding);
}
