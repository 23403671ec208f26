/**
 * Transient GitHub failures must reach the inbox as retryable errors. Run through the handler
 * directly with Octokit's in-process retries off (in a running Keel they add ~14 s of back-off
 * before the same error surfaces); the tokens, store and handler are Keel's own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { ProbotOctokit } from 'probot';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createInstallationTokens } from '../../src/github/installation-tokens.js';
import { isPermanentFailure } from '../../src/inbox/failure.js';
import type { CapabilityDeps } from '../../src/capability-deps.js';
import { checkPullRequest } from '../../src/pr-checks/handler.js';
import { createConfigCache } from '../../src/repo-config/config-cache.js';
import { openStore, type Store } from '../../src/store/database.js';
import { testPrivateKey } from '../../fixtures/index.js';
import { pullRequestPayload } from '../../fixtures/pr-checks/payloads.js';
import { createIntegrationGate } from '../../src/integrations/gate.js';
import { useGitHubMock } from '../helpers/github-mock.js';
import { FILES_PATH, mockConfig, mockStatuses, mockTokenMint, recordedGitHub } from './github-scenario.js';

useGitHubMock();

const SHA = 'ec26c3e57ca3a959ca5aad62de7213c562f8c821';
const NO_RETRIES = { retry: { enabled: false }, throttle: { enabled: false } };

let directory: string;
let store: Store;
let deps: CapabilityDeps;

beforeEach(async () => {
  directory = mkdtempSync(join(tmpdir(), 'keel-pr-checks-'));
  store = await openStore(`file:${join(directory, 'keel.db')}`);
  deps = {
    store,
    tokens: createInstallationTokens({
      appOctokit: async () => new ProbotOctokit({ auth: { appId: 1, privateKey: testPrivateKey() }, ...NO_RETRIES }),
      Octokit: ProbotOctokit.defaults(NO_RETRIES) as typeof ProbotOctokit,
    }),
    config: {
      publicUrl: 'https://keel.example.com',
      linkSigningKey: Buffer.alloc(32, 1),
      githubHost: 'api.github.com',
    },
    configCache: createConfigCache(),
    integrations: createIntegrationGate({ store }),
    log: pino({ level: 'silent' }),
  };
});
afterEach(async () => {
  await store.close();
  rmSync(directory, { recursive: true, force: true });
});

async function failure(): Promise<unknown> {
  return checkPullRequest(deps, pullRequestPayload('opened')).then(
    () => new Error('expected the handler to throw'),
    (error: unknown) => error,
  );
}

describe('a transient GitHub failure', () => {
  it('throws a retryable error on a 5xx, leaving the status pending', async () => {
    const { scope } = recordedGitHub();
    mockTokenMint(scope);
    const statuses = mockStatuses(scope, SHA, 1);
    mockConfig(scope, 'prChecks: {}\n');
    scope.get(FILES_PATH).query({ per_page: 100 }).reply(502, { message: 'Server Error' });
    const error = await failure();
    expect({ kind: (error as { kind?: string }).kind, permanent: isPermanentFailure(error), statuses }).toEqual({
      kind: 'server',
      permanent: false,
      statuses: [expect.objectContaining({ state: 'pending' })],
    });
  });

  it('throws a retryable error when GitHub cannot be reached', async () => {
    const { scope } = recordedGitHub();
    mockTokenMint(scope);
    mockStatuses(scope, SHA, 1);
    scope.get('/repos/Codertocat/Hello-World/contents/.github%2Fkeel.yml').replyWithError({ code: 'ECONNRESET' });
    const error = await failure();
    expect({ kind: (error as { kind?: string }).kind, permanent: isPermanentFailure(error) }).toEqual({
      kind: 'connection-refused',
      permanent: false,
    });
  });
});
