import { ConfigError, GuardError, KeelError } from '../errors.js';
import { GitHubError, classifyGitHubError, statusOf } from '../github/errors.js';

/** Handlers fail with an AggregateError from @octokit/webhooks; look at what they threw. */
function unwrap(error: unknown): unknown[] {
  if (error instanceof AggregateError && error.errors.length > 0) return error.errors.flatMap(unwrap);
  return [error];
}

const PERMANENT_GITHUB_KINDS = new Set(['validation', 'permission-missing', 'suspended', 'gone']);

/** A failure that retrying cannot fix: Keel refused the write itself, or GitHub said no for good. */
export function isPermanentFailure(error: unknown): boolean {
  return unwrap(error).every((cause) => {
    if (cause instanceof GuardError || cause instanceof ConfigError) return true;
    if (cause instanceof SyntaxError) return true; // a stored payload that is not JSON never will be
    if (cause instanceof GitHubError) return PERMANENT_GITHUB_KINDS.has(cause.kind);
    if (statusOf(cause) !== undefined) return PERMANENT_GITHUB_KINDS.has(classifyGitHubError(cause).kind);
    return false;
  });
}

export function describeFailure(error: unknown): string {
  return unwrap(error)
    .map((cause) => {
      if (cause instanceof KeelError) return `${cause.message} ${cause.remedy}`;
      if (cause instanceof Error) return `${cause.name}: ${cause.message}`;
      return String(cause);
    })
    .join(' | ')
    .slice(0, 2_000);
}
