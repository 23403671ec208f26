import { UNREACHABLE_KINDS } from '../../github/errors.js';
import type { InstallationState, VerificationReport } from './types.js';

export interface LifecycleFacts {
  /** When an `installation.deleted` event was recorded, if it was. */
  uninstalledAt?: string | null;
  /** When an `installation.suspend` event was recorded; cleared on `unsuspend`. */
  suspendedAt?: string | null;
}

export interface DeriveStateOptions {
  /** The latest verification, if any. */
  report?: Pick<VerificationReport, 'at' | 'checks'>;
  lifecycle?: LifecycleFacts;
}

/**
 * The state of an installation from its latest report and lifecycle facts (pure). A lifecycle
 * fact newer than the report wins; otherwise the report, being an observation, decides.
 */
export function deriveState({ report, lifecycle = {} }: DeriveStateOptions): InstallationState {
  const isNewer = (at: string | null | undefined) => !!at && (!report || Date.parse(at) > Date.parse(report.at));
  if (isNewer(lifecycle.uninstalledAt)) return 'uninstalled';
  if (isNewer(lifecycle.suspendedAt)) return 'suspended';
  if (!report) return 'pending';

  const failed = report.checks.filter((check) => check.status === 'fail');
  const failedWith = (predicate: (kind: string | undefined, name: string) => boolean) =>
    failed.some((check) => predicate(check.kind, check.name));

  if (failedWith((kind, name) => name === 'installation' && kind === 'not-found')) return 'uninstalled';
  if (failedWith((kind) => kind === 'suspended')) return 'suspended';
  if (failedWith((kind) => UNREACHABLE_KINDS.some((unreachable) => unreachable === kind))) {
    return 'unreachable';
  }
  if (
    failedWith(
      (kind, name) =>
        kind === 'bad-credentials' || kind === 'clock-skew' || (name === 'app-credentials' && kind === 'not-found'),
    )
  ) {
    return 'unauthorized';
  }
  const switchesOff = report.checks.some((check) => (check.disables?.length ?? 0) > 0);
  return failed.length > 0 || switchesOff ? 'degraded' : 'connected';
}
