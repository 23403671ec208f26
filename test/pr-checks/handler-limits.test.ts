import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { prChecksPlugin } from '../../src/pr-checks/plugin.js';
import { readPrChecksFixture } from '../../fixtures/pr-checks/helpers.js';
import { pullRequestPayload, type PullRequestOptions } from '../../fixtures/pr-checks/payloads.js';
import type { ChangedFile } from '../../src/pr-checks/types.js';
import { useGitHubMock } from '../helpers/github-mock.js';
import { startKeel, type TestKeel } from '../helpers/keel.js';
import {
  addedFile,
  localPageUrl,
  mockConfig,
  mockFileAt,
  mockFiles,
  mockStatuses,
  mockTokenMint,
  recordedGitHub,
  type StatusBody,
} from './github-scenario.js';

useGitHubMock();

const SHA = 'ec26c3e57ca3a959ca5aad62de7213c562f8c821';

let keel: TestKeel;
beforeEach(async () => {
  keel = await startKeel({ plugins: [prChecksPlugin()], env: { KEEL_PUBLIC_URL: 'https://keel.example.com' } });
});
afterEach(() => keel.stop());

/** Runs one opened event over `files` (with a configuration that turns the size rule off). */
async function audit(files: ChangedFile[], options: PullRequestOptions = {}, workflows: Record<string, string> = {}) {
  const { scope, requests } = recordedGitHub();
  mockTokenMint(scope);
  mockConfig(scope, 'prChecks:\n  rules:\n    size: false\n');
  const statuses = mockStatuses(scope, SHA);
  mockFiles(scope, files);
  for (const [path, text] of Object.entries(workflows)) mockFileAt(scope, path, SHA, text);
  expect((await keel.send('pull_request', pullRequestPayload('opened', options))).status).toBe(202);
  await keel.keel.worker.idle();
  return { statuses, requests };
}

async function page(status: StatusBody | undefined): Promise<string> {
  const text = await (await fetch(localPageUrl(status?.target_url, keel.url))).text();
  return text.replace(/\s+/g, ' '); // as a browser shows it
}

describe('a pull request with more than 3,000 files', () => {
  const files = Array.from({ length: 3000 }, (_, index) => addedFile(`src/file-${index}.ts`, ['export {};']));

  it('reads the 30 pages GitHub lists and counts the rest as not audited', async () => {
    const { statuses, requests } = await audit(files, { changedFiles: 3500 });
    expect(requests.filter((request) => request.includes('/files'))).toHaveLength(30);
    expect(statuses[1]?.description).toBe('No findings in 3,000 files; 500 files not audited');
  });

  it('says on the page why those files were not audited', async () => {
    const { statuses } = await audit(files, { changedFiles: 3500 });
    expect(await page(statuses[1])).toContain(
      '500 more changed files were not audited: GitHub lists at most 3,000 files of a pull request',
    );
  });
});

describe('a file whose patch GitHub omits', () => {
  const bundle = addedFile('dist/bundle.js', [], {
    status: 'modified',
    additions: 9000,
    deletions: 8000,
    changes: 17000,
  });
  delete bundle.patch;

  it('is counted as not audited in the description', async () => {
    const { statuses } = await audit([bundle, addedFile('src/a.ts', ['export {};'])]);
    expect(statuses[1]?.description).toBe('No findings in 1 file; 1 file not audited');
  });

  it('is listed on the page with the reason', async () => {
    const { statuses } = await audit([bundle]);
    expect(await page(statuses[1])).toContain(
      '<li><code>dist/bundle.js</code>: GitHub omitted the diff (too large to display), so its added lines were not read</li>',
    );
  });
});

describe('a changed workflow', () => {
  it('is read in full at the head commit and checked for workflow risks', async () => {
    const content = readPrChecksFixture('workflows/script-injection.yml');
    const { statuses } = await audit(
      [addedFile('.github/workflows/triage.yml', content.split('\n'))],
      {},
      {
        '.github/workflows/triage.yml': content,
      },
    );
    expect(statuses[1]?.description).toBe('2 findings: 2 workflow risks');
  });
});
