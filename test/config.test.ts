import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { ConfigError } from '../src/errors.js';
import { testPrivateKey } from '../fixtures/index.js';

const registered = () => ({ APP_ID: '123', PRIVATE_KEY: testPrivateKey(), WEBHOOK_SECRET: 'secret-secret' });

function errorOf(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration from the environment', () => {
  it('defaults to port 3000, the Probot webhook path and the embedded SQLite store', () => {
    const config = loadConfig(registered());
    expect(config).toMatchObject({
      appId: 123,
      port: 3000,
      webhookPath: '/api/github/webhooks',
      databaseUrl: 'file:./data/keel.db',
      githubApiUrl: 'https://api.github.com',
      githubWebUrl: 'https://github.com',
      logFormat: 'pretty',
      logLevel: 'info',
      publicUrl: 'http://localhost:3000',
      workerHandoffBytes: 32 * 1024 * 1024,
    });
  });

  it('reads how many payload bytes may wait in memory for a worker, and refuses less than 1 MiB', () => {
    expect(loadConfig({ ...registered(), KEEL_WORKER_HANDOFF_BYTES: '268435456' }).workerHandoffBytes).toBe(
      268_435_456,
    );
    expect(errorOf({ ...registered(), KEEL_WORKER_HANDOFF_BYTES: '1000' }).message).toContain(
      'KEEL_WORKER_HANDOFF_BYTES',
    );
  });

  it('starts unregistered without APP_ID, so the manifest registration can run', () => {
    expect(loadConfig({}).appId).toBeUndefined();
  });

  it('points REST and GraphQL at a GitHub Enterprise Server with GHE_HOST', () => {
    const config = loadConfig({ ...registered(), GHE_HOST: 'github.acme.internal', GHE_PROTOCOL: 'https' });
    expect(config.githubApiUrl).toBe('https://github.acme.internal/api/v3');
    expect(config.githubWebUrl).toBe('https://github.acme.internal');
  });

  it('accepts a key pasted on one line with \\n escapes', () => {
    const config = loadConfig({ ...registered(), PRIVATE_KEY: testPrivateKey().trim().replaceAll('\n', '\\n') });
    expect(config.privateKey).toBe(testPrivateKey());
  });

  it('reads the key from PRIVATE_KEY_PATH', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'keel-key-')), 'app.pem');
    writeFileSync(path, testPrivateKey());
    const { PRIVATE_KEY: _unused, ...env } = registered();
    expect(loadConfig({ ...env, PRIVATE_KEY_PATH: path }).privateKey).toBe(testPrivateKey());
  });

  it('says what to do when PRIVATE_KEY is not a PEM key', () => {
    const error = errorOf({ ...registered(), PRIVATE_KEY: 'not-a-key' });
    expect(error.message).toBe('PRIVATE_KEY is not a PEM key.');
    expect(error.remedy).toContain('Paste the .pem file GitHub gave you');
    expect(error.remedy).toContain('PRIVATE_KEY_PATH');
  });

  it('names a missing PRIVATE_KEY_PATH file', () => {
    const { PRIVATE_KEY: _unused, ...env } = registered();
    expect(errorOf({ ...env, PRIVATE_KEY_PATH: '/nowhere/app.pem' }).message).toBe(
      'PRIVATE_KEY_PATH points at /nowhere/app.pem, which does not exist.',
    );
  });

  it('refuses to run registered without a webhook secret', () => {
    const { WEBHOOK_SECRET: _unused, ...env } = registered();
    expect(errorOf(env).message).toBe('WEBHOOK_SECRET is not set.');
  });

  it('lists every invalid variable with what it must be', () => {
    const error = errorOf({
      ...registered(),
      PORT: 'eighty',
      LOG_FORMAT: 'xml',
      DATABASE_URL: 'mysql://x',
      GHE_HOST: 'https://ghe.acme.com/',
    });
    expect(error.message).toContain('PORT must be a whole number');
    expect(error.message).toContain('LOG_FORMAT');
    expect(error.message).toContain('DATABASE_URL must be file:<path> for SQLite or postgres://… for Postgres');
    expect(error.message).toContain('GHE_HOST must be a host name such as github.example.com, without scheme or path');
  });

  it('requires the OAuth client id and secret together', () => {
    expect(errorOf({ ...registered(), GITHUB_CLIENT_ID: 'Iv1.abc' }).message).toBe(
      'GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET must be set together.',
    );
  });

  it('never puts a secret value in an error message', () => {
    const error = errorOf({ ...registered(), KEEL_ADMIN_TOKEN: 'short-secret' });
    expect(error.message).toContain('KEEL_ADMIN_TOKEN must be at least 16 characters');
    expect(error.message).not.toContain('short-secret');
  });
});
