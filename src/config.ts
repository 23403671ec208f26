/**
 * The environment, parsed once at start-up. Every error names the variable and the fix; nothing
 * else in Keel reads `process.env`.
 */
import { createPrivateKey, hkdfSync } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from './errors.js';
import { HANDOFF_BYTES } from './inbox/worker.js';

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

const optionalString = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

function integer(fallback: number, min: number, max: number) {
  return optionalString
    .pipe(z.string().regex(/^\d+$/, 'must be a whole number').optional())
    .transform((value) => (value === undefined ? fallback : Number(value)))
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));
}

const EnvSchema = z.object({
  APP_ID: optionalString.pipe(
    z.string().regex(/^\d+$/, 'must be the numeric App ID shown on the GitHub App settings page').optional(),
  ),
  PRIVATE_KEY: optionalString,
  PRIVATE_KEY_PATH: optionalString,
  WEBHOOK_SECRET: optionalString,
  GHE_HOST: optionalString.pipe(
    z
      .string()
      .regex(/^[a-z0-9.-]+(:\d+)?$/i, 'must be a host name such as github.example.com, without scheme or path')
      .optional(),
  ),
  GHE_PROTOCOL: optionalString.pipe(z.enum(['https', 'http']).default('https')),
  PORT: integer(3000, 0, 65535),
  HOST: optionalString,
  WEBHOOK_PATH: optionalString.pipe(z.string().startsWith('/', 'must start with /').default('/api/github/webhooks')),
  WEBHOOK_PROXY_URL: optionalString.pipe(z.url('must be a URL such as https://smee.io/abc').optional()),
  LOG_LEVEL: optionalString.pipe(z.enum(LOG_LEVELS).default('info')),
  LOG_FORMAT: optionalString.pipe(z.enum(['pretty', 'json']).default('pretty')),
  REDIS_URL: optionalString.pipe(
    z
      .string()
      .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
      .optional(),
  ),
  DATABASE_URL: optionalString.pipe(
    z
      .string()
      .regex(/^(file:|postgres(ql)?:\/\/)/, 'must be file:<path> for SQLite or postgres://… for Postgres')
      .default('file:./data/keel.db'),
  ),
  KEEL_ADMIN_TOKEN: optionalString.pipe(
    z.string().min(16, 'must be at least 16 characters (try: openssl rand -hex 32)').optional(),
  ),
  KEEL_PUBLIC_URL: optionalString.pipe(
    z.url('must be the URL people reach Keel at, such as https://keel.example.com').optional(),
  ),
  GITHUB_CLIENT_ID: optionalString,
  GITHUB_CLIENT_SECRET: optionalString,
  KEEL_SESSION_SECRET: optionalString.pipe(
    z.string().min(32, 'must be at least 32 characters (try: openssl rand -hex 32)').optional(),
  ),
  KEEL_WORKER_CONCURRENCY: integer(4, 0, 64),
  KEEL_WORKER_HANDOFF_BYTES: integer(HANDOFF_BYTES, 1024 * 1024, 4 * 1024 * 1024 * 1024),
  KEEL_DELIVERY_RETENTION_DAYS: integer(14, 1, 3650),
  KEEL_METRICS_TOKEN: optionalString.pipe(
    z.string().min(16, 'must be at least 16 characters (try: openssl rand -hex 32)').optional(),
  ),
  KEEL_METRICS_PORT: optionalString.pipe(z.string().regex(/^\d+$/, 'must be a port number').optional()),
  KEEL_METRICS_HOST: optionalString,
  KEEL_REQUEST_TIMEOUT_MS: integer(12_000, 100, 600_000),
  KEEL_WEBHOOK_BUFFER_BYTES: integer(64 * 1024 * 1024, 64 * 1024, 4 * 1024 * 1024 * 1024),
  KEEL_DB_CONNECT_TIMEOUT_MS: integer(5_000, 100, 600_000),
  KEEL_DB_STATEMENT_TIMEOUT_MS: integer(5_000, 100, 3_600_000),
  KEEL_DB_MIGRATION_TIMEOUT_MS: integer(300_000, 1_000, 86_400_000),
});

export interface KeelConfig {
  appId: number | undefined;
  /** PEM text; never logged. */
  privateKey: string | undefined;
  webhookSecret: string | undefined;
  /** REST base URL: https://api.github.com or <protocol>://<GHE_HOST>/api/v3. */
  githubApiUrl: string;
  /** Web base URL: https://github.com or the GHES host. */
  githubWebUrl: string;
  /** Host name Keel reaches GitHub at, for messages. */
  githubHost: string;
  port: number;
  host: string | undefined;
  webhookPath: string;
  webhookProxyUrl: string | undefined;
  logLevel: (typeof LOG_LEVELS)[number];
  logFormat: 'pretty' | 'json';
  redisUrl: string | undefined;
  databaseUrl: string;
  adminToken: string | undefined;
  publicUrl: string;
  githubClientId: string | undefined;
  githubClientSecret: string | undefined;
  workerConcurrency: number;
  /** Payload bytes of deliveries waiting in memory for a slot; past it, they wait in the store. */
  workerHandoffBytes: number;
  /** Processed and ignored deliveries are deleted after this many days; dead letters are kept. */
  deliveryRetentionDays: number;
  /** Bearer token for /metrics; without it (and without metricsPort) /metrics answers 401. */
  metricsToken: string | undefined;
  /** A listener of its own for /metrics (on metricsHost), instead of the main port. */
  metricsPort: number | undefined;
  metricsHost: string | undefined;
  /** Time allowed to receive a whole request, headers and body (GitHub gives up after 10 s). */
  requestTimeoutMs: number;
  /** Bytes held at once by webhook bodies whose signature is not verified yet; past it, 503. */
  webhookBufferBytes: number;
  databaseTimeouts: { connectMs: number; statementMs: number; migrationMs: number };
  /** Key for signing links to detail pages; derived from the webhook secret, never stored. */
  linkSigningKey: Buffer;
  /**
   * Key sealing console sign-ins and users' GitHub tokens (AES-256-GCM), derived from
   * KEEL_SESSION_SECRET, else from the app's private key; never stored. Changing it signs everyone out.
   */
  sessionKey: Buffer;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const variable = issue.path.join('.') || 'environment';
  return `${variable} ${issue.message}`;
}

/** Accepts the PEM as GitHub gives it, with literal "\n" escapes (one-line .env values) or base64. */
export function normalizePrivateKey(raw: string): string {
  let key = raw.trim().replace(/^"|"$/g, '').replaceAll('\\n', '\n');
  if (!key.includes('-----BEGIN')) {
    const decoded = Buffer.from(key, 'base64').toString('utf8');
    if (decoded.includes('-----BEGIN')) key = decoded;
  }
  if (!/-----BEGIN (RSA )?PRIVATE KEY-----/.test(key)) {
    throw new ConfigError(
      'PRIVATE_KEY is not a PEM key.',
      'Paste the .pem file GitHub gave you (newlines may be written as \\n), or set PRIVATE_KEY_PATH to its path.',
    );
  }
  try {
    createPrivateKey(key);
  } catch (cause) {
    throw new ConfigError(
      'PRIVATE_KEY looks like a PEM key but cannot be read.',
      'Generate a new private key under the GitHub App settings and paste the whole file, including the BEGIN and END lines.',
      { cause },
    );
  }
  return key.endsWith('\n') ? key : `${key}\n`;
}

function readPrivateKey(env: { PRIVATE_KEY?: string; PRIVATE_KEY_PATH?: string }): string | undefined {
  if (env.PRIVATE_KEY) return normalizePrivateKey(env.PRIVATE_KEY);
  if (!env.PRIVATE_KEY_PATH) return undefined;
  if (!existsSync(env.PRIVATE_KEY_PATH)) {
    throw new ConfigError(
      `PRIVATE_KEY_PATH points at ${env.PRIVATE_KEY_PATH}, which does not exist.`,
      'Set PRIVATE_KEY_PATH to the .pem file downloaded from the GitHub App settings.',
    );
  }
  return normalizePrivateKey(readFileSync(env.PRIVATE_KEY_PATH, 'utf8'));
}

/** Parses and validates the environment. Throws one ConfigError listing every problem. */
export function loadConfig(env: Record<string, string | undefined> = process.env): KeelConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(describeIssue);
    throw new ConfigError(
      `Invalid environment: ${problems.join('; ')}.`,
      'Fix the variables named above in .env or the process environment (see .env.example).',
    );
  }
  const values = parsed.data;
  const privateKey = readPrivateKey(values);
  if (values.APP_ID && !privateKey) {
    throw new ConfigError(
      'APP_ID is set but neither PRIVATE_KEY nor PRIVATE_KEY_PATH is.',
      'Paste the .pem file GitHub gave you into PRIVATE_KEY, or set PRIVATE_KEY_PATH to its path.',
    );
  }
  if (values.APP_ID && !values.WEBHOOK_SECRET) {
    throw new ConfigError(
      'WEBHOOK_SECRET is not set.',
      'Set WEBHOOK_SECRET to the webhook secret entered in the GitHub App settings; Keel refuses unsigned deliveries.',
    );
  }
  if (Boolean(values.GITHUB_CLIENT_ID) !== Boolean(values.GITHUB_CLIENT_SECRET)) {
    throw new ConfigError(
      'GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET must be set together.',
      'Copy both from the GitHub App settings (Client ID, and a generated client secret), or unset both.',
    );
  }
  const githubWebUrl = values.GHE_HOST ? `${values.GHE_PROTOCOL}://${values.GHE_HOST}` : 'https://github.com';
  const githubApiUrl = values.GHE_HOST ? `${githubWebUrl}/api/v3` : 'https://api.github.com';
  const localUrl = `http://localhost:${values.PORT}`;
  const linkSigningKey = Buffer.from(
    hkdfSync('sha256', values.WEBHOOK_SECRET ?? 'keel-unregistered', 'keel', 'link-signing', 32),
  );
  const sessionKey = Buffer.from(
    hkdfSync('sha256', values.KEEL_SESSION_SECRET ?? privateKey ?? 'keel-unregistered', 'keel', 'console-session', 32),
  );
  return {
    appId: values.APP_ID ? Number(values.APP_ID) : undefined,
    privateKey,
    webhookSecret: values.WEBHOOK_SECRET,
    githubApiUrl,
    githubWebUrl,
    githubHost: values.GHE_HOST ?? 'api.github.com',
    port: values.PORT,
    host: values.HOST,
    webhookPath: values.WEBHOOK_PATH,
    webhookProxyUrl: values.WEBHOOK_PROXY_URL,
    logLevel: values.LOG_LEVEL,
    logFormat: values.LOG_FORMAT,
    redisUrl: values.REDIS_URL,
    databaseUrl: values.DATABASE_URL,
    adminToken: values.KEEL_ADMIN_TOKEN,
    publicUrl: (values.KEEL_PUBLIC_URL ?? localUrl).replace(/\/$/, ''),
    githubClientId: values.GITHUB_CLIENT_ID,
    githubClientSecret: values.GITHUB_CLIENT_SECRET,
    workerConcurrency: values.KEEL_WORKER_CONCURRENCY,
    workerHandoffBytes: values.KEEL_WORKER_HANDOFF_BYTES,
    deliveryRetentionDays: values.KEEL_DELIVERY_RETENTION_DAYS,
    metricsToken: values.KEEL_METRICS_TOKEN,
    metricsPort: values.KEEL_METRICS_PORT === undefined ? undefined : Number(values.KEEL_METRICS_PORT),
    metricsHost: values.KEEL_METRICS_HOST,
    requestTimeoutMs: values.KEEL_REQUEST_TIMEOUT_MS,
    webhookBufferBytes: values.KEEL_WEBHOOK_BUFFER_BYTES,
    databaseTimeouts: {
      connectMs: values.KEEL_DB_CONNECT_TIMEOUT_MS,
      statementMs: values.KEEL_DB_STATEMENT_TIMEOUT_MS,
      migrationMs: values.KEEL_DB_MIGRATION_TIMEOUT_MS,
    },
    linkSigningKey,
    sessionKey,
  };
}
