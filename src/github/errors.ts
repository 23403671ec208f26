/**
 * GitHub failures classified in one place, so callers branch on `kind` rather than on message
 * strings, and every kind carries the remedy GitHub's behaviour actually calls for.
 */
import { findErrorCode, KeelError } from '../errors.js';

export type GitHubErrorKind =
  | 'bad-credentials' // 401: JWT or token rejected
  | 'clock-skew' // 401 on a JWT issued in the future / expired too soon
  | 'not-found' // 404: app, installation or resource gone (or hidden by missing access)
  | 'permission-missing' // 403 "Resource not accessible by integration"
  | 'suspended' // 403 installation suspended
  | 'rate-limited' // 403/429 with rate-limit headers, or secondary rate limit
  | 'gone' // 410: e.g. expired logs
  | 'validation' // 422
  | 'server' // 5xx
  | 'dns' // ENOTFOUND / EAI_AGAIN
  | 'tls' // certificate problems
  | 'connection-refused' // ECONNREFUSED / ECONNRESET
  | 'timeout' // ETIMEDOUT / AbortError / UND_ERR_CONNECT_TIMEOUT
  | 'limiter-unavailable' // the shared request limiter (Redis, REDIS_URL) cannot be reached: nothing was sent
  | 'unknown';

/** Kinds meaning GitHub (or the GHES host) could not be reached at all. */
export const UNREACHABLE_KINDS: readonly GitHubErrorKind[] = ['dns', 'tls', 'connection-refused', 'timeout'];

export class GitHubError extends KeelError {
  readonly kind: GitHubErrorKind;
  readonly status: number | undefined;

  constructor(kind: GitHubErrorKind, message: string, remedy: string, status?: number, options?: { cause?: unknown }) {
    super(`GITHUB_${kind.toUpperCase().replaceAll('-', '_')}`, message, remedy, options);
    this.kind = kind;
    this.status = status;
  }

  /** Network-level failures: GitHub (or the GHES host) could not be reached at all. */
  get unreachable(): boolean {
    return UNREACHABLE_KINDS.includes(this.kind);
  }

  /** Worth retrying later without anyone changing anything. */
  get transient(): boolean {
    return this.unreachable || ['server', 'rate-limited', 'limiter-unavailable'].includes(this.kind);
  }
}

const TLS_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_NOT_YET_VALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
]);

interface ErrorShape {
  status?: unknown;
  code?: unknown;
  message?: unknown;
  name?: unknown;
  cause?: unknown;
  response?: { headers?: Record<string, string | undefined>; data?: unknown };
}

function responseMessage(shape: ErrorShape): string {
  const data = shape.response?.data;
  if (data && typeof data === 'object' && 'message' in data && typeof data.message === 'string') {
    return data.message;
  }
  return typeof shape.message === 'string' ? shape.message : String(shape.message ?? '');
}

/** The HTTP status of a failed request as Octokit throws it; undefined when there was no response. */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null | undefined)?.status;
  return typeof status === 'number' ? status : undefined;
}

/**
 * Turns anything thrown by Octokit or fetch into a GitHubError. `host` names what was being
 * reached, e.g. "api.github.com" or a GHES host, so network remedies point at it.
 */
export function classifyGitHubError(error: unknown, host = 'api.github.com'): GitHubError {
  if (error instanceof GitHubError) return error;
  const shape = (error && typeof error === 'object' ? error : {}) as ErrorShape;
  const status = statusOf(shape);
  const message = responseMessage(shape);
  const options = { cause: error };

  if (status === undefined || status === 500) {
    const code = findErrorCode(error);
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
      return new GitHubError(
        'dns',
        `Cannot resolve ${host} (${code}).`,
        host === 'api.github.com'
          ? "Check that this server's DNS resolves api.github.com and that it may reach the internet (firewall, proxy)."
          : `Check that ${host} is spelled right in GHE_HOST and that this server's DNS resolves it.`,
        undefined,
        options,
      );
    }
    if (code && (TLS_CODES.has(code) || code.startsWith('ERR_TLS') || code.includes('CERT'))) {
      return new GitHubError(
        'tls',
        `TLS handshake with ${host} failed (${code}).`,
        `${host} must present a certificate from a public CA (or set NODE_EXTRA_CA_CERTS to your CA bundle) that matches its name.`,
        undefined,
        options,
      );
    }
    // UND_ERR_SOCKET: undici's "other side closed", e.g. a proxy dropping the connection.
    if (
      code === 'ECONNREFUSED' ||
      code === 'ECONNRESET' ||
      code === 'EHOSTUNREACH' ||
      code === 'ENETUNREACH' ||
      code === 'UND_ERR_SOCKET'
    ) {
      return new GitHubError(
        'connection-refused',
        `Connection to ${host} failed (${code}).`,
        `Make sure ${host} is up and that this server may reach it on port 443 (firewall, proxy).`,
        undefined,
        options,
      );
    }
    if (code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT') {
      return new GitHubError(
        'timeout',
        `Timed out reaching ${host} (${code}).`,
        `Check the network path to ${host}; GitHub may be slow or a proxy may be dropping the connection.`,
        undefined,
        options,
      );
    }
  }
  if (status === undefined) {
    return new GitHubError(
      'unknown',
      `GitHub request failed: ${message}`,
      'Retry; if it persists, check the logs for the request that failed.',
      undefined,
      options,
    );
  }

  const headers = shape.response?.headers ?? {};
  if (status === 401) {
    if (/expiration time|issued at|'Expiration time' claim|too far in the future/i.test(message)) {
      return new GitHubError(
        'clock-skew',
        `GitHub rejected the app's JWT as issued at a wrong time: ${message}`,
        "Synchronise this server's clock (NTP); GitHub rejects JWTs issued in the future.",
        status,
        options,
      );
    }
    return new GitHubError(
      'bad-credentials',
      `GitHub rejected Keel's credentials: ${message}`,
      'Check APP_ID and PRIVATE_KEY: they must belong to the same GitHub App; generate a new private key in the app settings if unsure.',
      status,
      options,
    );
  }
  if ((status === 403 || status === 429) && (headers['x-ratelimit-remaining'] === '0' || /rate limit/i.test(message))) {
    return new GitHubError(
      'rate-limited',
      `GitHub rate limit hit: ${message}`,
      'Wait until the rate limit resets; Keel retries on its own.',
      status,
      options,
    );
  }
  if (status === 403 && /suspended/i.test(message)) {
    return new GitHubError(
      'suspended',
      'This installation is suspended.',
      'An organization owner can unsuspend Keel under Settings → GitHub Apps → Keel → Unsuspend.',
      status,
      options,
    );
  }
  if (status === 403 && /not accessible by integration/i.test(message)) {
    return new GitHubError(
      'permission-missing',
      `GitHub refused: ${message}`,
      'A permission is missing: an organization owner must accept the new permissions under Settings → GitHub Apps → Keel (Review request).',
      status,
      options,
    );
  }
  if (status === 404) {
    return new GitHubError(
      'not-found',
      `Not found on GitHub: ${message}`,
      'The app, installation or repository is gone, or Keel cannot see it: check the installation and its repository selection.',
      status,
      options,
    );
  }
  if (status === 410) {
    return new GitHubError(
      'gone',
      `Gone from GitHub: ${message}`,
      'GitHub no longer keeps this resource (for example logs past their retention).',
      status,
      options,
    );
  }
  if (status === 422) {
    return new GitHubError(
      'validation',
      `GitHub refused the request: ${message}`,
      'The request was invalid for the current state on GitHub; see the message.',
      status,
      options,
    );
  }
  if (status >= 500) {
    return new GitHubError(
      'server',
      `GitHub answered ${status}: ${message}`,
      'GitHub is having trouble; Keel retries with backoff. See githubstatus.com.',
      status,
      options,
    );
  }
  if (status === 403) {
    return new GitHubError(
      'permission-missing',
      `GitHub refused: ${message}`,
      'Keel lacks access for this request: check the installation permissions and repository selection.',
      status,
      options,
    );
  }
  return new GitHubError(
    'unknown',
    `GitHub answered ${status}: ${message}`,
    'See the message; retry if it looks transient.',
    status,
    options,
  );
}
