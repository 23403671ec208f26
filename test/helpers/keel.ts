/**
 * Starts a real Keel (HTTP server on an ephemeral loopback port, real SQLite or Postgres store)
 * for end-to-end tests. GitHub stays mocked with nock.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { ApplicationFunction } from 'probot';
import { loadConfig, type KeelConfig } from '../../src/config.js';
import { createKeel, type CreateKeelOptions, type Keel, type KeelPlugin } from '../../src/keel.js';
import { createLogger, createSecretScrubber } from '../../src/logging.js';
import { signDelivery, testPrivateKey } from '../../fixtures/index.js';
import { trackLeftover } from './leftovers.js';

export const TEST_WEBHOOK_SECRET = 'test-webhook-secret-0123456789';
export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';
export const TEST_APP_ID = 4242;

export interface TestKeel {
  keel: Keel;
  url: string;
  config: KeelConfig;
  /** Everything Keel logged, one JSON line per entry. */
  logs: string[];
  /** POSTs a signed delivery to the webhook path and returns the response. */
  send(event: string, payload: unknown, id?: string): Promise<Response>;
  api(path: string, init?: RequestInit): Promise<Response>;
  stop(): Promise<void>;
}

export interface StartKeelOptions {
  env?: Record<string, string>;
  plugins?: KeelPlugin[];
  appFunctions?: ApplicationFunction[];
  worker?: CreateKeelOptions['worker'];
  /** GitHub request pacing: off in tests unless a test measures it. */
  githubThrottle?: boolean;
}

export function testEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    APP_ID: String(TEST_APP_ID),
    PRIVATE_KEY: testPrivateKey(),
    WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
    KEEL_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    LOG_FORMAT: 'json',
    ...overrides,
  };
}

export async function startKeel(options: StartKeelOptions = {}): Promise<TestKeel> {
  const directory = mkdtempSync(join(tmpdir(), 'keel-test-'));
  const config = loadConfig(testEnv({ DATABASE_URL: `file:${join(directory, 'keel.db')}`, ...options.env }));
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
  const scrub = createSecretScrubber([config.webhookSecret, config.adminToken]);
  const log = await createLogger({ level: config.logLevel, format: 'json', scrub, destination });
  const keel = await createKeel({
    config,
    log,
    plugins: options.plugins ?? [],
    appFunctions: options.appFunctions ?? [],
    worker: { pollMs: 50, ...options.worker },
    githubThrottle: options.githubThrottle ?? false,
  });
  const url = await keel.listen();
  const stop = async () => {
    untrack();
    await keel.stop(2_000);
    rmSync(directory, { recursive: true, force: true });
  };
  const untrack = trackLeftover({ describe: `a Keel on ${url}`, mustEndInFile: true, end: stop });
  return {
    keel,
    url,
    config,
    logs,
    send(event, payload, id) {
      const delivery = signDelivery(TEST_WEBHOOK_SECRET, event, payload, id);
      return fetch(`${url}${config.webhookPath}`, { method: 'POST', headers: delivery.headers, body: delivery.body });
    },
    api(path, init = {}) {
      return fetch(`${url}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json', ...init.headers },
      });
    },
    stop,
  };
}
