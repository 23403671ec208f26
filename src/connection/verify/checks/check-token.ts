import { permissionsForWritePlan } from '../plan-write-round-trip.js';
import type { CheckResult, PlannedStep, ProbotOctokitInstance } from '../types.js';
import { failedCheckFromError, passedCheck } from './check-result.js';
import { compactPermissions } from './compact-permissions.js';

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
  /** What GitHub granted this token, when its answer says. */
  permissions?: Record<string, string>;
}

/**
 * Reading repositories and the rate limit needs metadata: read, and the organization's
 * `.github/keel.yml` contents: read (asked for only when the installation grants contents); a
 * real write round trip needs the writes its plan makes, and asks for them only then.
 */
export function verificationTokenPermissions(
  writeCheck: { dryRun: boolean; plan: readonly PlannedStep[] } | undefined,
  granted: Record<string, string> = {},
): Record<string, 'read' | 'write'> {
  const reads: Record<string, 'read' | 'write'> = {
    metadata: 'read',
    ...(granted.contents ? { contents: 'read' } : {}),
  };
  if (!writeCheck || writeCheck.dryRun) return reads;
  return { ...reads, ...permissionsForWritePlan(writeCheck.plan) };
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
    const minted: MintedToken = { token: data.token, expiresAt: data.expires_at };
    if (data.permissions) minted.permissions = compactPermissions(data.permissions);
    return { check, minted };
  } catch (error) {
    return { check: failedCheckFromError('token', error, apiHost) };
  }
}
