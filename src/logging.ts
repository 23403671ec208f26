/**
 * Pino, as Probot sets it up (pretty by default, JSON with LOG_FORMAT=json), with secrets kept
 * out: known secret values and anything shaped like a GitHub token or a PEM block is replaced
 * before a line is written. The same scrubber cleans errors stored in the database.
 */
import { getTransformStream } from '@probot/pino';
import { pino, type Logger } from 'pino';

const TOKEN_PATTERN = /\b(gh[pousr]_[A-Za-z0-9_]{20,}|github_pat_[A-Za-z0-9_]{20,}|v1\.[0-9a-f]{40})\b/g;
const PEM_PATTERN = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g;
const BEARER_PATTERN = /\b(bearer|token)\s+[A-Za-z0-9._~+/=-]{16,}/gi;

export type SecretScrubber = (text: string) => string;

/** A scrubber that also removes the exact values given (webhook secret, admin token, …). */
export function createSecretScrubber(secrets: readonly (string | undefined)[]): SecretScrubber {
  const exact = secrets.filter((secret): secret is string => typeof secret === 'string' && secret.length >= 8);
  return (text: string) => {
    let clean = text.replace(PEM_PATTERN, '[REDACTED PRIVATE KEY]');
    clean = clean.replace(TOKEN_PATTERN, '[REDACTED TOKEN]').replace(BEARER_PATTERN, '$1 [REDACTED]');
    for (const secret of exact) clean = clean.replaceAll(secret, '[REDACTED]');
    return clean;
  };
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
        const err = object.err;
        if (err instanceof Error) {
          object.err = { type: err.name, message: scrub(err.message), stack: err.stack ? scrub(err.stack) : undefined };
        }
        return object;
      },
    },
  };
  if (format === 'json') return pino(options, destination ?? pino.destination(1));
  const transform = await getTransformStream({ logFormat: 'pretty' });
  transform.pipe(destination ?? (pino.destination(1) as unknown as NodeJS.WritableStream));
  return pino(options, transform);
}
