import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { prChecksPlugin } from '../../src/pr-checks/plugin.js';
import { fakeSecrets } from '../../fixtures/pr-checks/helpers.js';
import { pullRequestPayload, type PullRequestAction } from '../../fixtures/pr-checks/payloads.js';
import { useGitHubMock } from '../helpers/github-mock.js';
import { startKeel, type TestKeel } from '../helpers/keel.js';
import {
  addedFile,
  localPageUrl,
  mockConfig,
  mockFiles,
  mockStatuses,
  mockTokenMint,
  recordedGitHub,
} from './github-scenario.js';

useGitHubMock();

const SHA = 'ec26c3e57ca3a959ca5aad62de7213c562f8c821';
const secrets = fakeSecrets(11);
const PENDING = { state: 'pending', description: 'Auditing the changes in this commit…', context: 'keel/pr-checks' };

let keel: TestKeel;
beforeEach(async () => {
  keel = await startKeel({ plugins: [prChecksPlugin()], env: { KEEL_PUBLIC_URL: 'https://keel.example.com' } });
});
afterEach(() => keel.stop());

async function deliver(action: PullRequestAction, options: Parameters<typeof pullRequestPayload>[1] = {}, id?: string) {
  const response = await keel.send('pull_request', pullRequestPayload(action, options), id);
  expect(response.status).toBe(202);
  await keel.keel.worker.idle();
}

async function fetchPage(targetUrl: string | undefined): Promise<string> {
  const response = await fetch(localPageUrl(targetUrl, keel.url));
  expect(response.status).toBe(200);
  return response.text();
}

describe.each<PullRequestAction>(['opened', 'synchronize', 'reopened', 'ready_for_review'])('on %s', (action) => {
  it('sets keel/pr-checks pending, then success with a link to the report', async () => {
    const { scope } = recordedGitHub();
    mockTokenMint(scope);
    const statuses = mockStatuses(scope, SHA);
    mockConfig(scope, null);
    mockConfig(scope, null, { path: '/repos/Codertocat/.github/contents/.github%2Fkeel.yml' });
    mockFiles(scope, [addedFile('README.md', ['Hello, world.'])]);
    await deliver(action);
    expect(statuses).toEqual([
      PENDING,
      {
        state: 'success',
        description: 'No findings in 1 file',
        context: 'keel/pr-checks',
        target_url: expect.stringMatching(/^https:\/\/keel\.example\.com\/pr-checks\//),
      },
    ]);
  });
});

describe('a pull request with findings', () => {
  it('fails with the counts in the description, and the page explains each finding', async () => {
    const { scope } = recordedGitHub();
    mockTokenMint(scope);
    const statuses = mockStatuses(scope, SHA);
    mockConfig(scope, 'prChecks:\n  maxChangedLines: 1000\n');
    mockFiles(scope, [
      addedFile('src/settings.ts', ['export const region = "eu";', `export const token = "${secrets.githubClassic}";`]),
      addedFile('src/merge.ts', ['<<<<<<< HEAD', 'const a = 1;', '=======', 'const a = 2;', '>>>>>>> main']),
    ]);
    await deliver('opened');
    expect(statuses[1]).toMatchObject({ state: 'failure', description: '2 findings: 1 secret, 1 merge conflict' });
    const page = await fetchPage(statuses[1]?.target_url);
    expect(page).toContain(`href="https://github.com/Codertocat/Hello-World/blob/${SHA}/src/settings.ts#L2"`);
  });

  it('never lets a secret out unmasked: status, page, stored report and logs hold only the masked form', async () => {
    const { scope } = recordedGitHub();
    mockTokenMint(scope);
    const statuses = mockStatuses(scope, SHA);
    mockConfig(scope, 'prChecks: {}\n');
    mockFiles(scope, [
      addedFile('deploy/env.sh', [
        `export GH_TOKEN=${secrets.githubClassic}`,
        `export AWS_KEY=${secrets.awsAccessKeyId}`,
      ]),
    ]);
    await deliver('opened');
    const page = await fetchPage(statuses[1]?.target_url);
    const stored = JSON.stringify(await keel.keel.store.db.selectFrom('pr_check_reports').selectAll().execute());
    const everything = [JSON.stringify(statuses), page, stored, keel.logs.join('\n')].join('\n');
    expect(page).toContain(`ghp_…${secrets.githubClassic.slice(-4)}`);
    expect(everything).not.toContain(secrets.githubClassic.slice(4));
    expect(everything).not.toContain(secrets.awsAccessKeyId.slice(4));
  });
});

describe('an edit of the title only', () => {
  const config = 'prChecks:\n  titlePattern: "^(feat|fix): "\n';
  const files = [addedFile('src/merge.ts', ['<<<<<<< HEAD', 'a', '=======', 'b', '>>>>>>> main'])];

  /** The pull request is opened with `title` and audited in full; returns that audit's status writes. */
  async function openedWith(title: string) {
    const first = recordedGitHub();
    mockTokenMint(first.scope);
    mockConfig(first.scope, config);
    const statuses = mockStatuses(first.scope, SHA);
    mockFiles(first.scope, files);
    await deliver('opened', { title, updatedAt: '2025-01-01T10:00:00Z' });
    return statuses;
  }

  it('re-runs only the title rule, reusing the stored findings of the others, without listing the files', async () => {
    await openedWith('Update the README');

    const edit = recordedGitHub();
    mockConfig(edit.scope, config);
    const statuses = mockStatuses(edit.scope, SHA);
    await deliver('edited', {
      title: 'fix: update the README',
      updatedAt: '2025-01-01T10:05:00Z',
      changes: { title: { from: 'Update the README' } },
    });
    expect(statuses).toEqual([
      PENDING,
      expect.objectContaining({ state: 'failure', description: '1 finding: 1 merge conflict' }),
    ]);
    expect(edit.requests).toEqual([
      `POST /repos/Codertocat/Hello-World/statuses/${SHA}`,
      'GET /repos/Codertocat/Hello-World/contents/.github%2Fkeel.yml',
      `POST /repos/Codertocat/Hello-World/statuses/${SHA}`,
    ]);
  });

  it('shows the new title on the same report page', async () => {
    const before = await openedWith('Update the README');

    const edit = recordedGitHub();
    mockConfig(edit.scope, config);
    const after = mockStatuses(edit.scope, SHA);
    await deliver('edited', {
      title: 'fix: update the README',
      updatedAt: '2025-01-01T10:05:00Z',
      changes: { title: { from: 'Update the README' } },
    });
    expect(after[1]?.target_url).toBe(before[1]?.target_url);
    expect(await fetchPage(after[1]?.target_url)).toContain('<h1>fix: update the README</h1>');
  });

  it('audits everything again when the base branch changes', async () => {
    await openedWith('fix: a');

    const edit = recordedGitHub();
    mockConfig(edit.scope, config);
    mockStatuses(edit.scope, SHA);
    mockFiles(edit.scope, files);
    await deliver('edited', {
      title: 'fix: a',
      updatedAt: '2025-01-01T10:05:00Z',
      changes: { base: { ref: { from: 'develop' }, sha: { from: 'abc' } } },
    });
    expect(edit.requests).toContain('GET /repos/Codertocat/Hello-World/pulls/2/files?per_page=100');
  });
});

describe('requests per event', () => {
  it('makes 6 on a first event (job token, pending, config token, config, files, final) and 4 once tokens and config are cached', async () => {
    const first = recordedGitHub();
    mockTokenMint(first.scope);
    mockConfig(first.scope, 'prChecks: {}\n', { etag: '"v1"' });
    mockStatuses(first.scope, SHA);
    mockFiles(first.scope, [addedFile('README.md', ['Hello'])]);
    await deliver('opened', { updatedAt: '2025-01-01T10:00:00Z' });

    const next = 'b'.repeat(40);
    const repeat = recordedGitHub();
    repeat.scope
      .get('/repos/Codertocat/Hello-World/contents/.github%2Fkeel.yml')
      .matchHeader('if-none-match', '"v1"')
      .reply(304);
    mockStatuses(repeat.scope, next);
    mockFiles(repeat.scope, [addedFile('README.md', ['Hello'])]);
    await deliver('synchronize', { sha: next, updatedAt: '2025-01-01T11:00:00Z' });

    expect({ first: first.requests, repeat: repeat.requests }).toEqual({
      first: [
        'POST /app/installations/42/access_tokens',
        `POST /repos/Codertocat/Hello-World/statuses/${SHA}`,
        'POST /app/installations/42/access_tokens',
        'GET /repos/Codertocat/Hello-World/contents/.github%2Fkeel.yml',
        'GET /repos/Codertocat/Hello-World/pulls/2/files?per_page=100',
        `POST /repos/Codertocat/Hello-World/statuses/${SHA}`,
      ],
      repeat: [
        `POST /repos/Codertocat/Hello-World/statuses/${next}`,
        'GET /repos/Codertocat/Hello-World/contents/.github%2Fkeel.yml',
        'GET /repos/Codertocat/Hello-World/pulls/2/files?per_page=100',
        `POST /repos/Codertocat/Hello-World/statuses/${next}`,
      ],
    });
  });
});
