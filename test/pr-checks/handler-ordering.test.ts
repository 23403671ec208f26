import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { prChecksPlugin } from '../../src/pr-checks/plugin.js';
import { pullRequestPayload, type PullRequestOptions } from '../../fixtures/pr-checks/payloads.js';
import { useGitHubMock } from '../helpers/github-mock.js';
import { startKeel, type TestKeel } from '../helpers/keel.js';
import {
  addedFile,
  FILES_PATH,
  mockConfig,
  mockFiles,
  mockStatuses,
  mockTokenMint,
  recordedGitHub,
} from './github-scenario.js';

useGitHubMock();

const OLD = 'a'.repeat(40);
const NEW = 'b'.repeat(40);
const FILES = [addedFile('README.md', ['Hello'])];

let keel: TestKeel;
beforeEach(async () => {
  keel = await startKeel({ plugins: [prChecksPlugin()] });
});
afterEach(() => keel.stop());

function send(id: string, options: PullRequestOptions) {
  return keel.send('pull_request', pullRequestPayload('synchronize', options), id);
}

async function deliveryStatuses() {
  const deliveries = (await (await keel.api('/api/deliveries')).json()) as { id: string; status: string }[];
  return Object.fromEntries(deliveries.map(({ id, status }) => [id, status]));
}

describe('a push superseding another', () => {
  it('leaves a stale synchronize, processed after a newer one, without any request to GitHub', async () => {
    const { scope } = recordedGitHub();
    mockTokenMint(scope);
    mockConfig(scope, null);
    mockConfig(scope, null, { path: '/repos/Codertocat/.github/contents/.github%2Fkeel.yml' });
    const newer = mockStatuses(scope, NEW);
    mockFiles(scope, FILES);
    await send('newer', { sha: NEW, updatedAt: '2025-01-01T10:05:00Z' });
    await keel.keel.worker.idle();

    await send('stale', { sha: OLD, updatedAt: '2025-01-01T10:00:00Z' });
    await keel.keel.worker.idle();
    expect(newer.map((status) => status.state)).toEqual(['pending', 'success']);
    expect(await deliveryStatuses()).toEqual({ newer: 'processed', stale: 'processed' });
  });

  it('holds a newer push until the audit of the older one has finished: one pull request at a time', async () => {
    const { scope } = recordedGitHub();
    let release: () => void = () => undefined;
    let arrived: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const listing = new Promise<void>((resolve) => (arrived = resolve));
    mockTokenMint(scope);
    const older = mockStatuses(scope, OLD);
    mockConfig(scope, 'prChecks: {}\n');
    scope
      .get(FILES_PATH)
      .query({ per_page: 100 })
      .reply(async () => {
        arrived();
        await held;
        return [200, FILES];
      });
    await send('older', { sha: OLD, updatedAt: '2025-01-01T10:00:00Z' });
    await listing;

    mockConfig(scope, 'prChecks: {}\n');
    const newer = mockStatuses(scope, NEW);
    mockFiles(scope, FILES);
    await send('newer', { sha: NEW, updatedAt: '2025-01-01T10:05:00Z' });
    // Past the worker's next turn, the newer push still waits behind the held audit.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(newer).toEqual([]);

    release();
    await keel.keel.worker.idle();
    expect(older.map((status) => status.state)).toEqual(['pending', 'success']);
    expect(newer.map((status) => status.state)).toEqual(['pending', 'success']);
  });
});
