import type { CheckResult, ProbotOctokitInstance } from '../types.js';
import { failedCheckFromError, passedCheck } from './check-result.js';

export interface CheckTokenOptions {
  appOctokit: ProbotOctokitInstance;
  installationId: number;
  apiHost: string;
  /** What the token may do: the checks that follow it need no more (least privilege). */
  permissions: Record<string, 'read' | 'write'>;
}

export interface MintedToken {
  token: string;
  expiresAt: string;
}

/**
 * Reading repositories and the rate limit needs metadata: read only; the write round trip needs
 * the writes it makes, and asks for them only when it will run for real.
 */
export function verificationTokenPermissions(
  writeCheck: { dryRun: boolean } | undefined,
): Record<string, 'read' | 'write'> {
  if (!writeCheck || writeCheck.dryRun) return { metadata: 'read' };
  return { metadata: 'read', contents: 'write', pull_requests: 'write', statuses: 'write', issues: 'write' };
}

/** Mints an installation token; the finding names its expiry, never the token. */
export async function checkToken({
  appOctokit,
  installationId,
  apiHost,
  permissions,
}: CheckTokenOptions): Promise<{ check: CheckResult; minted?: MintedToken }> {
  try {
    const { data } = await appOctokit.request('POST /app/installations/{installation_id}/access_tokens', {
      installation_id: installationId,
      permissions,
    });
    const check = passedCheck('token', `Installation token minted; it expires at ${data.expires_at}.`);
    return { check, minted: { token: data.token, expiresAt: data.expires_at } };
  } catch (error) {
    return { check: failedCheckFromError('token', error, apiHost) };
  }
}
