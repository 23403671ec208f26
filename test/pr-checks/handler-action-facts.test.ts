/**
 * The audits that need GitHub's answers about the actions a workflow uses (known-vulnerable-actions,
 * ref-confusion, stale-action-refs), through the handler: one read per distinct action, kept in the
 * store, and a failed read that skips the audit for that action without failing the check.
 */
import type nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordedAnswers } from '../../fixtures/pr-checks/action-facts.js';
import { INSTALLATION_ID, pullRequestPayload, type PullRequestOptions } from '../../fixtures/pr-checks/payloads.js';
import { addRepositories } from '../../src/connection/installation-rows.js';
import { prChecksPlugin } from '../../src/pr-checks/plugin.js';
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
const WORKFLOW = '.github/workflows/release.yml';
const ORG_CONFIG = '/repos/Codertocat/.github/contents/.github%2Fkeel.yml';

let keel: TestKeel;
beforeEach(async () => {
  keel = await startKeel({ plugins: [prChecksPlugin()], env: { KEEL_PUBLIC_URL: 'https://keel.example.com' } });
});
afterEach(() => keel.stop());

const workflow = (...steps: string[]): string =>
  [
    'name: release',
    'on: push',
    'permissions: {}',
    'jobs:',
    '  release:',
    '    runs-on: ubuntu-latest',
    '    steps:',
    ...steps,
  ].join('\n');

/** GitHub's answers about `repository` (recorded), or a failure status for any of them. */
function mockActionFacts(
  scope: nock.Scope,
  repository: string,
  failures: { advisories?: number; tags?: number } = {},
): void {
  const answers = recordedAnswers(repository);
  const failure = (status: number) => ({ message: status === 404 ? 'Not Found' : 'Bad Gateway' });
  const advisories = scope.get('/advisories').query({ ecosystem: 'actions', affects: repository, per_page: 100 });
  if (failures.advisories) advisories.reply(failures.advisories, failure(failures.advisories));
  else advisories.reply(200, answers.advisories);
  const tags = scope.get(`/repos/${repository}/tags`).query({ per_page: 100 });
  if (failures.tags) {
    tags.reply(failures.tags, failure(failures.tags));
    return;
  }
  tags.reply(200, answers.tags);
  scope.get(`/repos/${repository}/branches`).query({ per_page: 100 }).reply(200, answers.branches);
}

async function deliver(
  content: string,
  {
    config = null,
    options = {},
    facts,
    tokensCached = false,
  }: {
    config?: string | null;
    options?: PullRequestOptions;
    facts?: (scope: nock.Scope) => void;
    /** Keel minted its tokens in an earlier delivery of this test and reuses them. */
    tokensCached?: boolean;
  },
) {
  const sha = options.sha ?? SHA;
  const { scope, requests } = recordedGitHub();
  if (!tokensCached) mockTokenMint(scope);
  mockConfig(scope, config);
  if (config === null) mockConfig(scope, null, { path: ORG_CONFIG });
  const statuses = mockStatuses(scope, sha);
  mockFiles(scope, [addedFile(WORKFLOW, content.split('\n'))]);
  mockFileAt(scope, WORKFLOW, sha, content);
  facts?.(scope);
  expect((await keel.send('pull_request', pullRequestPayload('opened', options))).status).toBe(202);
  await keel.keel.worker.idle();
  return { statuses, requests };
}

async function page(status: StatusBody | undefined): Promise<string> {
  const text = await (await fetch(localPageUrl(status?.target_url, keel.url))).text();
  return text.replace(/\s+/g, ' ');
}

const VULNERABLE = '      - uses: actions/download-artifact@7a1cd3216ca9260cd8022db641d960b1db4d1be4 # v4.0.0';

describe('known-vulnerable-actions', () => {
  it('fails the check on an action release with a high advisory, and the page names it and the fix', async () => {
    const { statuses } = await deliver(workflow(VULNERABLE), {
      facts: (scope) => mockActionFacts(scope, 'actions/download-artifact'),
    });
    expect(statuses[1]).toMatchObject({ state: 'failure', description: '1 finding: 1 workflow risk' });
    const html = await page(statuses[1]);
    expect(html).toContain('Action with a known vulnerability: GHSA-cxww-7g56-2vh6 (high)');
    expect(html).toContain('actions/download-artifact v4.0.0 is affected by GHSA-cxww-7g56-2vh6');
    expect(html).toContain('Update actions/download-artifact to 4.1.3 or later');
    expect(html).toContain('href="https://github.com/advisories/GHSA-cxww-7g56-2vh6"');
  });

  it('links the advisory only on GitHub: any other address shows its GHSA id, unlinked', async () => {
    const { statuses } = await deliver(workflow(VULNERABLE), {
      facts: (scope) => {
        const answers = recordedAnswers('actions/download-artifact');
        const advisories = (answers.advisories as { html_url: string }[]).map((advisory) => ({
          ...advisory,
          html_url: 'https://github.com.evil.example/advisories/GHSA-cxww-7g56-2vh6',
        }));
        scope
          .get('/advisories')
          .query({ ecosystem: 'actions', affects: 'actions/download-artifact', per_page: 100 })
          .reply(200, advisories);
        scope.get('/repos/actions/download-artifact/tags').query({ per_page: 100 }).reply(200, answers.tags);
        scope.get('/repos/actions/download-artifact/branches').query({ per_page: 100 }).reply(200, answers.branches);
      },
    });
    const html = await page(statuses[1]);
    expect(html).toContain('Action with a known vulnerability: GHSA-cxww-7g56-2vh6 (high)');
    expect(html).toContain('Advisory: GHSA-cxww-7g56-2vh6');
    expect(html).not.toContain('evil.example');
  });

  it('asks GitHub once per action: a later commit within six hours reads the stored answers', async () => {
    await deliver(workflow(VULNERABLE), { facts: (scope) => mockActionFacts(scope, 'actions/download-artifact') });
    const later = { sha: 'f'.repeat(40), updatedAt: '2030-01-01T00:00:00Z' };
    const { statuses, requests } = await deliver(workflow(VULNERABLE), { options: later, tokensCached: true });
    expect(requests.filter((request) => /advisories|\/tags|\/branches/.test(request))).toEqual([]);
    expect(statuses[1]).toMatchObject({ state: 'failure', description: '1 finding: 1 workflow risk' });
  });
});

describe("the pull request's own repository", () => {
  it('is never asked about: it may be private, and the stored facts serve every installation', async () => {
    const content = workflow('      - uses: Codertocat/Hello-World/.github/actions/build@v1');
    const { requests } = await deliver(content, {});
    expect(requests.filter((request) => /advisories|\/tags|\/branches/.test(request))).toEqual([]);
  });
});

describe('ref-confusion and stale-action-refs', () => {
  it('warns on a ref that is both a branch and a tag, and on an untagged SHA once switched on', async () => {
    const content = workflow(
      '      - uses: woodruffw/gha-hazmat/ref-confusion@confusable # keel: ignore[unpinned-uses]',
      '      - uses: actions/checkout@009b9ae9e446ad8d9b8c809870b0fbcc5e03573e',
      '        with:',
      '          persist-credentials: false',
    );
    const { statuses } = await deliver(content, {
      config: 'prChecks:\n  workflowAudits:\n    stale-action-refs: warning\n',
      facts: (scope) => {
        mockActionFacts(scope, 'actions/checkout');
        mockActionFacts(scope, 'woodruffw/gha-hazmat');
      },
    });
    expect(statuses[1]).toMatchObject({
      state: 'success',
      description: 'No findings in 1 file; 2 warnings (2 workflow risks)',
    });
    const html = await page(statuses[1]);
    expect(html).toContain('woodruffw/gha-hazmat has a branch and a tag both named `confusable`');
    expect(html).toContain('No tag of actions/checkout points to 009b9ae9e446ad8d9b8c809870b0fbcc5e03573e');
  });
});

describe('a GitHub read that fails', () => {
  it('never fails the check: the audits that would have run are skipped for that action and the page says why', async () => {
    const content = workflow(
      VULNERABLE,
      '      - uses: acme/private-action@v1',
      // ref-confusion never applies to a commit SHA, and stale-action-refs is off: not listed.
      `      - uses: acme/pinned-action@${'c'.repeat(40)} # v2.0.0`,
    );
    const { statuses } = await deliver(content, {
      config: 'prChecks:\n  workflowAudits:\n    unpinned-uses: off\n',
      facts: (scope) => {
        mockActionFacts(scope, 'actions/download-artifact', { advisories: 502 });
        for (const action of ['acme/pinned-action', 'acme/private-action']) {
          scope.get('/advisories').query({ ecosystem: 'actions', affects: action, per_page: 100 }).reply(200, []);
          scope.get(`/repos/${action}/tags`).query({ per_page: 100 }).reply(404, { message: 'Not Found' });
        }
      },
    });
    expect(statuses[1]).toMatchObject({ state: 'success', description: 'No findings in 1 file' });
    const html = await page(statuses[1]);
    expect(html).toContain('Audits skipped (2)');
    expect(html).toContain(
      '<code>known-vulnerable-actions</code> for <code>actions/download-artifact</code>: GitHub failed (502) while reading its security advisories',
    );
    expect(html).toContain(
      '<code>ref-confusion</code> for <code>acme/private-action</code>: GitHub answered 404 for its branches and tags: the repository is private to an account outside this installation, renamed or deleted',
    );
    expect(html).not.toContain('<code>acme/pinned-action</code>');
  });
});

describe('an action in another private repository of the same installation', () => {
  it('is not asked about; the page says Keel cannot read it, not that GitHub failed', async () => {
    await addRepositories(keel.keel.store, INSTALLATION_ID, [
      { id: 9001, fullName: 'Codertocat/deploy-action', private: true },
    ]);
    const content = workflow(`      - uses: Codertocat/deploy-action@${'d'.repeat(40)} # v2.1.0`);
    const { statuses, requests } = await deliver(content, {});
    expect(requests.filter((request) => /advisories|\/tags|\/branches/.test(request))).toEqual([]);
    expect(statuses[1]).toMatchObject({ state: 'success' });
    const html = await page(statuses[1]);
    expect(html).toContain(
      '<code>known-vulnerable-actions</code> for <code>codertocat/deploy-action</code>: Keel cannot read codertocat/deploy-action: private action repository outside this pull request&#39;s token.',
    );
    expect(html).not.toContain('GitHub failed');
  });
});
