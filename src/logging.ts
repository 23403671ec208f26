/**
 * Pino, as Probot sets it up (pretty by default, JSON with LOG_FORMAT=json), with secrets kept
 * out: known secret values and anything shaped like a GitHub token or a PEM block is replaced
 * before a line is written. The same scrubber cleans errors stored in the database.
 */
import { getTransformStream } from '@probot/pino';
import { pino, type Logger } from 'pino';

// GitHub tokens whole: installation tokens are now `ghs_<app id>_<JWT>` (dots and dashes, ~520
// characters), so a pattern stopping at the first dot would leave the JWT's payload and signature.
const GITHUB_TOKEN_PATTERN = /\b(?:gh[pousr]_|github_pat_)(?=[\w.-]{16})[\w-]+(?:\.[\w-]+)*|\bv1\.[0-9a-f]{40}\b/g;
// Any JWT (the app's own, or one inside another token format): header.payload.signature.
const JWT_PATTERN = /\beyJ[\w-]+\.[\w-]+(?:\.[\w-]*)?/g;
const PEM_PATTERN = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g;
// Authorization values: `Bearer …`, `token …`, `Basic …`, and whatever follows an authorization header name.
const SCHEME_PATTERN = /\b(bearer|token|basic)(\s+)[\w.~+/=-]{16,}/gi;
const AUTHORIZATION_PATTERN =
  /\b(authorization["']?\s*[:=]\s*["']?)(?!\[REDACTED)(?:(?:bearer|token|basic)\s+)?[^\s"',}]+/gi;
// Credentials in URLs, e.g. redis://:password@host or postgres://user:password@host.
const URL_CREDENTIALS_PATTERN = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@:]*:[^\s/@]+@/gi;

export type SecretScrubber = (text: string) => string;

/** A scrubber that also removes the exact values given (webhook secret, admin token, …). */
export function createSecretScrubber(secrets: readonly (string | undefined)[]): SecretScrubber {
  const exact = secrets.filter((secret): secret is string => typeof secret === 'string' && secret.length >= 8);
  return (text: string) => {
    let clean = text.replace(PEM_PATTERN, '[REDACTED PRIVATE KEY]');
    for (const secret of exact) clean = clean.replaceAll(secret, '[REDACTED]');
    return clean
      .replace(GITHUB_TOKEN_PATTERN, '[REDACTED TOKEN]')
      .replace(JWT_PATTERN, '[REDACTED JWT]')
      .replace(SCHEME_PATTERN, '$1$2[REDACTED]')
      .replace(AUTHORIZATION_PATTERN, '$1[REDACTED]')
      .replace(URL_CREDENTIALS_PATTERN, '$1[REDACTED]@');
  };
}

/** Scrubs every string in a logged object (bounded depth; errors are handled by the formatter). */
function scrubFields(value: unknown, scrub: SecretScrubber, depth = 0): unknown {
  if (typeof value === 'string') return scrub(value);
  if (depth > 6 || !value || typeof value !== 'object' || value instanceof Error) return value;
  if (Array.isArray(value)) return value.map((item) => scrubFields(item, scrub, depth + 1));
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([key, inner]) => [key, scrubFields(inner, scrub, depth + 1)]),
  );
}

const REDACT_PATHS = [
  'privateKey',
  'token',
  'secret',
  'password',
  '*.privateKey',
  '*.token',
  '*.secret',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'request.headers.authorization',
  '*.headers.authorization',
  'err.request.headers.authorization',
];

export interface CreateLoggerOptions {
  level: string;
  format: 'pretty' | 'json';
  scrub: SecretScrubber;
  /** Defaults to stdout; tests pass a stream to read what was logged. */
  destination?: NodeJS.WritableStream;
}

export async function createLogger({ level, format, scrub, destination }: CreateLoggerOptions): Promise<Logger> {
  const options = {
    level,
    name: 'keel',
    redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
    // The formatter below already turned errors into plain, scrubbed objects; keep their type.
    serializers: { err: (value: unknown) => value },
    hooks: {
      // Scrub every string argument (messages and interpolations) before pino formats it. An
      // error logged without a message (Probot logs failed handlers so) would become the message
      // unscrubbed: give it its own message, scrubbed like the rest.
      logMethod(this: Logger, args: unknown[], method: (...args: unknown[]) => void) {
        const [first] = args;
        const error =
          first instanceof Error
            ? first
            : first && typeof first === 'object'
              ? (first as { err?: unknown }).err
              : undefined;
        const withMessage = error instanceof Error && args.length === 1 ? [first, error.message] : args;
        method.apply(
          this,
          withMessage.map((arg) => (typeof arg === 'string' ? scrub(arg) : arg)),
        );
      },
    },
    formatters: {
      log(object: Record<string, unknown>) {
        const clean = scrubFields(object, scrub) as Record<string, unknown>;
        const err = object.err;
        if (err instanceof Error) {
          clean.err = { type: err.name, message: scrub(err.message), stack: err.stack ? scrub(err.stack) : undefined };
        }
        return clean;
      },
    },
  };
  if (format === 'json') return pino(options, destination ?? pino.destination(1));
  const transform = await getTransformStream({ logFormat: 'pretty' });
  transform.pipe(destination ?? (pino.destination(1) as unknown as NodeJS.WritableStream));
  return pino(options, transform);
}
