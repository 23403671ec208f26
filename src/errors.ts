/**
 * Keel's error hierarchy. Every error carries a `code` callers branch on and a `remedy`: the
 * sentence a user needs to fix the problem. Messages never contain secrets.
 */
export class KeelError extends Error {
  readonly code: string;
  readonly remedy: string;

  constructor(code: string, message: string, remedy: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.remedy = remedy;
  }
}

/** An environment variable or a configuration file is wrong. */
export class ConfigError extends KeelError {
  constructor(message: string, remedy: string, options?: { cause?: unknown }) {
    super('CONFIG_INVALID', message, remedy, options);
  }
}

/** A write Keel must never make (merging, pushing to a default branch) was refused before it left. */
export class GuardError extends KeelError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(
      'GUARD_REFUSED',
      message,
      'Keel never merges pull requests and only writes to keel/* branches; open a pull request instead.',
      options,
    );
  }
}

/** A request needs a permission the token (or the installation) does not have. */
export class PermissionMissingError extends KeelError {
  readonly permission: string;
  readonly level: string;

  constructor(permission: string, level: string, request: string) {
    super(
      'PERMISSION_MISSING',
      `${request} needs ${permission}: ${level}, which this token was not granted.`,
      `Ask for ${permission}: ${level} when narrowing the token; if the installation lacks it, an organization owner must accept the permission under Settings → GitHub Apps → Keel.`,
    );
    this.permission = permission;
    this.level = level;
  }
}

/**
 * The system error code (ECONNREFUSED, CERT_HAS_EXPIRED, …) behind an error, walking `cause`
 * chains: fetch wraps socket errors in `TypeError: fetch failed`. Aborts count as timeouts.
 */
export function findErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current && typeof current === 'object'; depth++) {
    const shape = current as { code?: unknown; name?: unknown; cause?: unknown };
    if (typeof shape.code === 'string' && !/^\d+$/.test(shape.code)) return shape.code;
    if (shape.name === 'AbortError' || shape.name === 'TimeoutError') return 'ETIMEDOUT';
    current = shape.cause;
  }
  return undefined;
}
