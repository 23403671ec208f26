import type { VerificationReport } from './types.js';

/** The installation's remaining quota was under 10% at this verification (its rate-limit check warned). */
export function isRateLimited(report: Pick<VerificationReport, 'checks'> | null | undefined): boolean {
  return report?.checks.some((check) => check.name === 'rate-limit' && check.status === 'warn') ?? false;
}
