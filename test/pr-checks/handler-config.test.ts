import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { prChecksPlugin } from '../../src/pr-checks/plugin.js';
import { pullRequestPayload, type PullRequestOptions } from '../../fixtures/pr-checks/payloads.js';
import { useGitHubMock } from '../helpers/github-mock.js';
import { startKeel, type TestKeel } from '../helpers/keel.js';
import {
  addedFile,
  CONFIG_PATH,
  CONFIG_TOKEN,
  localPageUrl,
  mockConfig,
  mockFiles,
  mockStatuses,
  mockTokenMint,
  ORG_CONFIG_PATH,
  recordedGitHub,
} from './github-scenario.js';

useGitHubMock();

const SHA = 'ec26c3e57ca3a959ca5aad62de7213c562f8c821';
const TITLE_RULE = 'prChecks:\n  titlePattern: "^feat: "\n';

let keel: TestKeel;
beforeEach(async () => {
  keel = await startKeel({ plugins: [prChecksPlugin()], env: { KEEL_PUBLIC_URL: 'https://keel.example.com' } });
});
afterEach(() => keel.stop());

async function deliver(id: string, options: PullRequestOptions = {}, action: 'opened' | 'synchronize' = 'opened') {
  expect((await keel.send('pull_request', pullRequestPayload(action, options), id)).status).toBe(202);
  await keel.keel.worker.idle();
}

/** An event whose configuration is `text`: no files are listed when it is invalid. */
async function statusesWithConfig(text: string) {
  const { scope } = recordedGitHub();
  mockTokenMint(scope);
  mockConfig(scope, text);
  const statuses = mockStatuses(scope, SHA);
  await deliver('bad-config');
  return statuses;
}

describe('an invalid .github/keel.yml', () => {
  it('fails the status with the key, what is wrong and the line', async () => {
    const statuses = await statusesWithConfig('prChecks:\n  maxChangedLines: "lots"\n');
    expect(statuses[1]).toMatchObject({
      state: 'failure',
      description: 'Invalid .github/keel.yml: prChecks.maxChangedLines must be a number (line 2)',
    });
  });

  it('names an unknown key', async () => {
    const statuses = await statusesWithConfig('prChecks:\n  rules:\n    secret: false\n');
    expect(statuses[1]?.description).toBe(
      'Invalid .github/keel.yml: prChecks.rules.secret is not a known key; did you mean secrets? (line 3)',
    );
  });

  it('names a YAML syntax error', async () => {
    const statuses = await statusesWithConfig('prChecks:\n\tmaxChangedLines: 3\n');
    expect(statuses[1]?.description).toBe(
      'Invalid .github/keel.yml: YAML syntax error: Tabs are not allowed as indentation (line 2)',
    );
  });

  it('keeps the description within 140 characters and shows the whole message on the page', async () => {
    const statuses = await statusesWithConfig(
      'prChecks:\n  maxChangedLines: "lots"\n  titlePattern: 7\n  ignorePaths: "dist"\n  rules: { size: "no" }\n',
    );
    expect(statuses[1]?.description).toHaveLength(140);
    const page = await (await fetch(localPageUrl(statuses[1]?.target_url, keel.url))).text();
    expect(page).toContain('prChecks.ignorePaths must be a list (line 4)');
  });

  it('marks the delivery processed, not failed: a new commit fixes it, not a retry', async () => {
    await statusesWithConfig('prChecks: [\n');
    const deliveries = (await (await keel.api('/api/deliveries')).json()) as { id: string; status: string }[];
    expect(deliveries.map(({ id, status }) => ({ id, status }))).toEqual([{ id: 'bad-config', status: 'processed' }]);
  });
});

describe('where the configuration comes from', () => {
  it("uses the organization's .github repository when the repository has none", async () => {
    const { scope } = recordedGitHub();
    mockTokenMint(scope);
    mockConfig(scope, null);
    mockConfig(scope, TITLE_RULE, { path: ORG_CONFIG_PATH });
    const statuses = mockStatuses(scope, SHA);
    mockFiles(scope, [addedFile('README.md', ['Hello'])]);
    await deliver('org-fallback', { title: 'Update README' });
    expect(statuses[1]?.description).toBe('1 finding: 1 title mismatch');
  });

  it('reads a private organization .github with the config token, which names it', async () => {
    const { scope } = recordedGitHub();
    mockTokenMint(scope);
    mockConfig(scope, null, { token: CONFIG_TOKEN });
    mockConfig(scope, TITLE_RULE, { path: ORG_CONFIG_PATH, token: CONFIG_TOKEN });
    const statuses = mockStatuses(scope, SHA);
    mockFiles(scope, [addedFile('README.md', ['Hello'])]);
    await deliver('private-org', { title: 'Update README' });
    expect(statuses[1]?.description).toBe('1 finding: 1 title mismatch');
  });

  it('reads the repository alone when the installation cannot see .github, and does not ask again', async () => {
    const first = recordedGitHub();
    mockTokenMint(first.scope, { dotGithub: 'inaccessible' });
    mockConfig(first.scope, 'prChecks: {}\n', { token: CONFIG_TOKEN });
    const statuses = mockStatuses(first.scope, SHA);
    mockFiles(first.scope, [addedFile('README.md', ['Hello'])]);
    await deliver('no-dot-github', { updatedAt: '2025-01-01T10:00:00Z' });

    const next = 'd'.repeat(40);
    const second = recordedGitHub();
    mockConfig(second.scope, 'prChecks: {}\n', { token: CONFIG_TOKEN });
    mockStatuses(second.scope, next);
    mockFiles(second.scope, [addedFile('README.md', ['Hello'])]);
    await deliver('no-dot-github-again', { sha: next, updatedAt: '2025-01-01T11:00:00Z' }, 'synchronize');
    expect({
      state: statuses[1]?.state,
      tokenRequests: second.requests.filter((r) => r.includes('access_tokens')),
    }).toEqual({ state: 'success', tokenRequests: [] });
  });

  it('applies a base named by _extends under the repository file', async () => {
    const { scope } = recordedGitHub();
    mockTokenMint(scope);
    mockConfig(scope, '_extends: .github\nprChecks:\n  maxChangedLines: 1\n');
    mockConfig(scope, TITLE_RULE, { path: ORG_CONFIG_PATH });
    const statuses = mockStatuses(scope, SHA);
    mockFiles(scope, [addedFile('README.md', ['Hello', 'world'])]);
    await deliver('extends', { title: 'Update README' });
    expect(statuses[1]?.description).toBe('1 finding: 1 title mismatch; 1 warning (1 large diff)');
  });

  it('asks again with If-None-Match and applies the cached copy on 304 Not Modified', async () => {
    const first = recordedGitHub();
    mockTokenMint(first.scope);
    mockConfig(first.scope, TITLE_RULE, { etag: 'W/"keel-1"' });
    mockStatuses(first.scope, SHA);
    mockFiles(first.scope, [addedFile('README.md', ['Hello'])]);
    await deliver('first', { title: 'feat: hello', updatedAt: '2025-01-01T10:00:00Z' });

    const next = 'c'.repeat(40);
    const second = recordedGitHub();
    second.scope.get(CONFIG_PATH).matchHeader('if-none-match', 'W/"keel-1"').reply(304);
    const statuses = mockStatuses(second.scope, next);
    mockFiles(second.scope, [addedFile('README.md', ['Hello'])]);
    await deliver('second', { sha: next, title: 'Hello', updatedAt: '2025-01-01T11:00:00Z' }, 'synchronize');
    expect(statuses[1]?.description).toBe('1 finding: 1 title mismatch');
  });
});
