import type { CheckResult, ProbotOctokitInstance } from '../types.js';
import { failedCheckFromError, passedCheck } from './check-result.js';

export interface CheckTokenOptions {
  appOctokit: ProbotOctokitInstance;
  installationId: number;
  apiHost: string;
}

export interface MintedToken {
  token: string;
  expiresAt: string;
}

/** Mints an installation token; the finding names its expiry, never the token. */
export async function checkToken({
  appOctokit,
  installationId,
  apiHost,
}: CheckTokenOptions): Promise<{ check: CheckResult; minted?: MintedToken }> {
  try {
    const { data } = await appOctokit.request('POST /app/installations/{installation_id}/access_tokens', {
      installation_id: installationId,
    });
    const check = passedCheck('token', `Installation token minted; it expires at ${data.expires_at}.`);
    return { check, minted: { token: data.token, expiresAt: data.expires_at } };
  } catch (error) {
    return { check: failedCheckFromError('token', error, apiHost) };
  }
}
