import { classifyGitHubError } from '../../../github/errors.js';
import type { CheckName, CheckResult } from '../types.js';

export function passedCheck(name: CheckName, finding: string): CheckResult {
  return { name, status: 'pass', finding, remedy: '' };
}

export function skippedCheck(name: CheckName, reason: string): CheckResult {
  return { name, status: 'skip', finding: `skipped: ${reason}`, remedy: '' };
}

/** A failed check from anything GitHub (or the network) threw, classified once. */
export function failedCheckFromError(name: CheckName, error: unknown, apiHost: string): CheckResult {
  const classified = classifyGitHubError(error, apiHost);
  return {
    name,
    status: 'fail',
    finding: classified.message,
    remedy: classified.remedy,
    kind: classified.kind,
  };
}
