import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { saveReport } from '../../src/pr-checks/store.js';
import type { PrCheckReport } from '../../src/pr-checks/report.js';
import { addedFile, fakeSecrets } from '../../fixtures/pr-checks/helpers.js';
import { example } from '../../fixtures/index.js';
import { recordStatusWrites, useGitHubMock } from '../helpers/github-mock.js';
import type { TestKeel } from '../helpers/keel.js';
import {
  deliver,
  HEAD_SHA,
  INSTALLATION_ID,
  issueComment,
  mockCommandsToken,
  mockConfig,
  mockPull,
  mockReactions,
  mockReply,
  mockRole,
  PULL_NUMBER,
  recordedGitHub,
  REPO_PATH,
  REPOSITORY_ID,
  startCommandsKeel,
} from './scenario.js';
import type nock from 'nock';

useGitHubMock();

let keel: TestKeel;
beforeEach(async () => {
  keel = await startCommandsKeel({ prChecks: true });
});
afterEach(() => keel.stop());

function answeredByWriter() {
  const github = recordedGitHub();
  mockConfig(github.scope, null);
  mockCommandsToken(github.scope);
  mockRole(github.scope, 'write');
  mockPull(github.scope);
  return { ...github, reactions: mockReactions(github.scope), replies: mockReply(github.scope, PULL_NUMBER) };
}

function mockPrChecksToken(scope: nock.Scope): void {
  scope
    .post(`/app/installations/${INSTALLATION_ID}/access_tokens`, {
      repository_ids: [REPOSITORY_ID],
      permissions: { pull_requests: 'read', contents: 'read', statuses: 'write' },
    })
    .reply(201, {
      token: 'ghs_prChecksTestToken',
      expires_at: new Date(Date.now() + 3_600_000).toISOString(),
      permissions: { pull_requests: 'read', contents: 'read', statuses: 'write' },
    });
}

function pullAtHead() {
  const pull = example('pull_request.opened').pull_request;
  return { ...pull, head: { ...pull.head, sha: HEAD_SHA } };
}

/** The page a status links to, fetched from the running Keel. */
async function fetchPage(targetUrl: string | undefined): Promise<string> {
  const url = new URL(targetUrl ?? '');
  const response = await fetch(`${keel.url}${url.pathname}${url.search}`);
  return response.text();
}

describe('/keel check', () => {
  it('re-runs the pull request checks on the current head and replies with the result', async () => {
    const { replies, reactions, scope } = answeredByWriter();
    mockPrChecksToken(scope);
    const statuses = recordStatusWrites(scope, REPO_PATH, HEAD_SHA, 2);
    scope
      .get(`${REPO_PATH}/contents/.github%2Fkeel.yml`)
      .reply(404, { message: 'Not Found' })
      .get('/repos/Codertocat/.github/contents/.github%2Fkeel.yml')
      .reply(404, { message: 'Not Found' })
      .get(`${REPO_PATH}/pulls/${PULL_NUMBER}/files`)
      .query({ per_page: 100 })
      .reply(200, [addedFile('README.md', ['Hello, world.'])]);
    await deliver(keel, 'issue_comment', issueComment('/keel check', { pull: true }));
    expect(statuses.map((status) => status.state)).toEqual(['pending', 'success']);
    expect(reactions).toEqual(['eyes', 'rocket']);
    expect(replies[0]).toMatch(
      /^✅ `keel\/pr-checks` on `ec26c3e`: No findings in 1 file \(\[details\]\(https:\/\/keel\.example\.com\/pr-checks\/[\w-]+\?sig=[\w-]{43}\)\)$/m,
    );
  });
});

const SECRET_FINDING = {
  rule: 'secrets' as const,
  severity: 'failure' as const,
  file: 'test/fixtures/keys.ts',
  line: 3,
  title: 'GitHub token',
  explanation: 'A GitHub token is committed.',
  fix: 'Revoke it and read it from a secret.',
  evidence: 'ghp_…abcd',
};

async function storeReportWithSecret(): Promise<void> {
  const report: PrCheckReport = {
    state: 'failure',
    description: '1 finding: 1 secret',
    findings: [SECRET_FINDING],
    notAudited: [],
    filesAudited: 1,
    addedLines: 3,
    filesNotListed: 0,
    configError: null,
  };
  await saveReport(
    keel.keel.store,
    {
      installationId: INSTALLATION_ID,
      repositoryId: REPOSITORY_ID,
      repository: 'Codertocat/Hello-World',
      pullNumber: PULL_NUMBER,
      headSha: HEAD_SHA,
      title: 'Update the README with new information',
      configFingerprint: null,
      report,
    },
    1_000,
  );
}

describe('/keel ignore', () => {
  it('accepts the findings of the rule, recomputes the status, and the page says who and why', async () => {
    await storeReportWithSecret();
    const { replies, scope } = answeredByWriter();
    mockPrChecksToken(scope);
    const statuses = recordStatusWrites(scope, REPO_PATH, HEAD_SHA, 1);
    await deliver(
      keel,
      'issue_comment',
      issueComment('/keel ignore secrets "test fixture, not a real key"', { pull: true }),
    );
    expect(statuses).toEqual([
      {
        state: 'success',
        description: 'No findings in 1 file; 1 accepted',
        context: 'keel/pr-checks',
        target_url: expect.stringMatching(/^https:\/\/keel\.example\.com\/pr-checks\//),
      },
    ]);
    expect(replies[0]).toContain(
      'Accepted 1 `secrets` finding for this pull request as @Codertocat (reason: `test fixture, not a real key`).',
    );
    const page = await fetchPage(statuses[0]?.target_url);
    expect(page).toContain('Accepted (1)');
    expect(page).toContain('Accepted by @Codertocat on');
    expect(page).toContain('test fixture, not a real key');
  });

  it('says so when the head has no finding of that rule, writing nothing', async () => {
    await storeReportWithSecret();
    const { replies } = answeredByWriter();
    await deliver(keel, 'issue_comment', issueComment('/keel ignore title', { pull: true }));
    expect(replies[0]).toContain('`ec26c3e` has no `title` findings: nothing to accept.');
  });

  it('asks for /keel check first when the head was never checked', async () => {
    const { replies } = answeredByWriter();
    await deliver(keel, 'issue_comment', issueComment('/keel ignore secrets', { pull: true }));
    expect(replies[0]).toContain('Keel has not checked `ec26c3e` yet: run `/keel check` first.');
  });
});

describe('an accepted finding on later checks', () => {
  it('stays accepted when the pull request is checked again, and the status stays green', async () => {
    const secret = fakeSecrets(3).githubClassic;
    const files = [addedFile('test/fixtures/keys.ts', [`export const token = "${secret}";`])];
    const { scope } = recordedGitHub();
    mockConfig(scope, null);
    mockCommandsToken(scope);
    mockPrChecksToken(scope);
    scope
      .get(`${REPO_PATH}/collaborators/Codertocat/permission`)
      .times(3)
      .reply(200, { permission: 'write', role_name: 'write' })
      .get(`${REPO_PATH}/pulls/${PULL_NUMBER}`)
      .times(3)
      .reply(200, pullAtHead())
      .get(`${REPO_PATH}/contents/.github%2Fkeel.yml`)
      .times(4)
      .reply(404, { message: 'Not Found' })
      .get('/repos/Codertocat/.github/contents/.github%2Fkeel.yml')
      .times(4)
      .reply(404, { message: 'Not Found' })
      .get(`${REPO_PATH}/pulls/${PULL_NUMBER}/files`)
      .query({ per_page: 100 })
      .times(2)
      .reply(200, files)
      .post(/\/issues\/comments\/\d+\/reactions$/)
      .times(6)
      .reply(201, {})
      .post(`${REPO_PATH}/issues/${PULL_NUMBER}/comments`)
      .times(3)
      .reply(201, {});
    const statuses = recordStatusWrites(scope, REPO_PATH, HEAD_SHA, 5);
    await deliver(keel, 'issue_comment', issueComment('/keel check', { pull: true, commentId: 1 }));
    await deliver(keel, 'issue_comment', issueComment('/keel ignore secrets', { pull: true, commentId: 2 }));
    await deliver(keel, 'issue_comment', issueComment('/keel check', { pull: true, commentId: 3 }));
    expect(statuses.map((status) => `${status.state}: ${status.description}`)).toEqual([
      'pending: Auditing the changes in this commit…',
      'failure: 1 finding: 1 secret',
      'success: No findings in 1 file; 1 accepted',
      'pending: Auditing the changes in this commit…',
      'success: No findings in 1 file; 1 accepted',
    ]);
  });
});
