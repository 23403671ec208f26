import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mockVerification } from '../connection/mock-verification.js';
import { useGitHubMock } from '../helpers/github-mock.js';
import type { TestKeel } from '../helpers/keel.js';
import {
  deliver,
  INSTALLATION_ID,
  issueComment,
  mockCommandsToken,
  mockConfig,
  mockReactions,
  mockReply,
  mockRole,
  recordedGitHub,
  startCommandsKeel,
  storeInstallation,
} from './scenario.js';

useGitHubMock();

let keel: TestKeel;
beforeEach(async () => {
  keel = await startCommandsKeel();
});
afterEach(() => keel.stop());

function answered() {
  const github = recordedGitHub();
  mockConfig(github.scope, null);
  mockCommandsToken(github.scope);
  return { ...github, reactions: mockReactions(github.scope), replies: mockReply(github.scope) };
}

describe('/keel verify', () => {
  it('runs the connection verifier and replies with its summary and the console link', async () => {
    await storeInstallation(keel, { metadata: 'read' }, 'pending');
    const { scope, replies, reactions } = answered();
    mockRole(scope, 'admin');
    mockVerification({ installationId: INSTALLATION_ID }, scope);
    await deliver(keel, 'issue_comment', issueComment('/keel verify'));
    expect(reactions).toEqual(['eyes', 'rocket']);
    const reply = replies[0] ?? '';
    expect(reply).toMatch(/Installation 42 is \*\*\w+\*\* \(\d+ of \d+ checks pass\)\./);
    expect(reply).toContain('[Open the console](https://keel.example.com/console/integrations/42)');
    const row = await keel.keel.store.db.selectFrom('reports').select('installation_id').execute();
    expect(row).toEqual([{ installation_id: INSTALLATION_ID }]);
  });

  it('says so when Keel does not know the installation yet', async () => {
    const { scope, replies, reactions } = answered();
    mockRole(scope, 'write');
    await deliver(keel, 'issue_comment', issueComment('/keel verify'));
    expect(reactions).toEqual(['eyes', 'confused']);
    expect(replies[0]).toContain('Keel does not know installation 42 yet.');
  });
});

describe('@<app-slug> mentions', () => {
  it("reads the app's slug once, then answers a mention followed by a command", async () => {
    const { scope, replies } = answered();
    scope.get('/app').reply(200, { id: 4242, slug: 'keel' });
    await deliver(keel, 'issue_comment', issueComment('@keel status'));
    expect(replies[0]).toContain('Repository Codertocat/Hello-World: not excluded.');

    const second = recordedGitHub();
    second.scope
      .get('/repos/Codertocat/Hello-World/contents/.github%2Fkeel.yml')
      .reply(404, { message: 'Not Found' })
      .get('/repos/Codertocat/.github/contents/.github%2Fkeel.yml')
      .reply(404, { message: 'Not Found' });
    mockReactions(second.scope, 2, 77);
    const again = mockReply(second.scope);
    await deliver(keel, 'issue_comment', issueComment('@keel help', { commentId: 77 }));
    expect(again[0]).toContain('<!-- keel:command-reply:77 -->');
  });

  it('does not answer a mention of someone else, and asks nothing of GitHub but the slug', async () => {
    const { scope, requests } = recordedGitHub();
    scope.get('/app').reply(200, { id: 4242, slug: 'keel' });
    await deliver(keel, 'issue_comment', issueComment('@octocat help me with this'));
    expect(requests).toEqual(['GET /app']);
  });
});

describe('/keel repair', () => {
  it('runs workflow repair for the repository and says what it did', async () => {
    const github = recordedGitHub();
    mockConfig(github.scope, 'repair: false\n');
    github.scope
      .get('/repos/Codertocat/Hello-World/contents/.github%2Fkeel.yml')
      .reply(200, 'repair: false\n', { 'content-type': 'application/vnd.github.raw; charset=utf-8' });
    mockCommandsToken(github.scope);
    mockRole(github.scope, 'maintain');
    const reactions = mockReactions(github.scope);
    const replies = mockReply(github.scope);
    await deliver(keel, 'issue_comment', issueComment('/keel repair'));
    expect(reactions).toEqual(['eyes', 'rocket']);
    expect(replies[0]).toContain('Workflow repair is off for this repository: `.github/keel.yml` turns repair off.');
  });

  it('says when the workflows have nothing to repair', async () => {
    const github = recordedGitHub();
    mockConfig(github.scope, null);
    mockCommandsToken(github.scope);
    mockRole(github.scope, 'admin');
    const reactions = mockReactions(github.scope);
    const replies = mockReply(github.scope);
    const repairPermissions = { contents: 'write', workflows: 'write', pull_requests: 'write' };
    github.scope
      .get('/repos/Codertocat/Hello-World/contents/.github%2Fkeel.yml')
      .reply(404, { message: 'Not Found' })
      .get('/repos/Codertocat/.github/contents/.github%2Fkeel.yml')
      .reply(404, { message: 'Not Found' })
      .post('/app/installations/42/access_tokens', { repository_ids: [186853002], permissions: repairPermissions })
      .reply(201, {
        token: 'ghs_repairTestToken',
        expires_at: new Date(Date.now() + 3_600_000).toISOString(),
        permissions: repairPermissions,
      })
      .get('/repos/Codertocat/Hello-World/contents/.github%2Fworkflows')
      .query({ ref: 'master' })
      .reply(200, [], { etag: '"listing-1"' })
      .get('/repos/Codertocat/Hello-World/pulls')
      .query((query) => query.head === 'Codertocat:keel/repair-workflows' && query.state === 'all')
      .reply(200, [], { etag: '"pulls-1"' });
    await deliver(keel, 'issue_comment', issueComment('/keel repair'));
    expect(reactions).toEqual(['eyes', 'rocket']);
    expect(replies[0]).toContain('Nothing to repair: the workflows of this repository have no finding Keel can fix.');
  });
});
