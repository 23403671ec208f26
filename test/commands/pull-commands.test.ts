import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Diagnosis } from '../../src/ci/diagnose.js';
import { saveRunDiagnoses } from '../../src/ci/store.js';
import { useGitHubMock } from '../helpers/github-mock.js';
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
  storeInstallation,
} from './scenario.js';

useGitHubMock();

let keel: TestKeel;
beforeEach(async () => {
  keel = await startCommandsKeel({ prChecks: true });
});
afterEach(() => keel.stop());

const RUN_ID = 30433642;

/** The requests of a pull request comment Keel answers; returns the reactions and the reply. */
function answered() {
  const github = recordedGitHub();
  mockConfig(github.scope, null);
  mockCommandsToken(github.scope);
  return { ...github, reactions: mockReactions(github.scope), replies: mockReply(github.scope, PULL_NUMBER) };
}

const DIAGNOSIS: Diagnosis = {
  workflow: 'CI',
  job: { id: 399444496, name: 'test' },
  failedStep: { name: 'Run npm test', number: 4 },
  kind: 'test-failure',
  tool: 'vitest',
  failures: [{ test: 'cart > totals', file: 'test/cart.test.ts', line: 10, message: 'expected 22 to be 20' }],
  failureCount: 1,
  excerpt: ['AssertionError: expected 22 to be 20'],
  logUrl: `https://github.com/Codertocat/Hello-World/actions/runs/${RUN_ID}/job/399444496`,
};

async function storeFailedRun(runId = RUN_ID): Promise<void> {
  await saveRunDiagnoses(
    keel.keel.store,
    {
      installationId: INSTALLATION_ID,
      repositoryId: REPOSITORY_ID,
      repository: 'Codertocat/Hello-World',
      runId,
      runAttempt: 1,
      workflowId: 7,
      workflow: 'CI',
      event: 'pull_request',
      headSha: HEAD_SHA,
      headBranch: 'changes',
      conclusion: 'failure',
      htmlUrl: `https://github.com/Codertocat/Hello-World/actions/runs/${runId}`,
    },
    { diagnoses: [DIAGNOSIS], notDiagnosed: 0, configError: null },
    1_000,
  );
}

async function switchOn(services: Record<string, boolean>): Promise<void> {
  await keel.keel.store.db
    .insertInto('integrations')
    .values({
      id: String(INSTALLATION_ID),
      provider: 'github',
      host: 'github.com',
      external_id: String(INSTALLATION_ID),
      installation_id: INSTALLATION_ID,
      name: 'Codertocat',
      added_by: null,
      services: JSON.stringify(services),
      exclusions: '[]',
      created_at: 0,
      updated_at: 0,
    })
    .execute();
}

describe('/keel diagnose', () => {
  it("replies with the diagnosis of the head's latest failed run, linked to its page", async () => {
    await storeFailedRun();
    const { replies, reactions, scope } = answered();
    mockPull(scope);
    await deliver(keel, 'issue_comment', issueComment('/keel diagnose', { pull: true }));
    expect(reactions).toEqual(['eyes', 'rocket']);
    const reply = replies[0] ?? '';
    expect(reply).toContain('### ❌ CI failed on `ec26c3e`');
    expect(reply).toContain('- `cart > totals` `test/cart.test.ts:10` expected 22 to be 20');
    expect(reply).toMatch(/\[diagnosis\]\(https:\/\/keel\.example\.com\/ci\/[\w-]+\?sig=[\w-]{43}\)/);
    expect(reply).toContain(`[Run ${RUN_ID}](https://github.com/Codertocat/Hello-World/actions/runs/${RUN_ID})`);
    expect(reply).not.toContain('<!-- keel:ci -->');
  });

  it('diagnoses a run named by its URL without reading the pull request', async () => {
    await storeFailedRun(RUN_ID + 1);
    const { replies } = answered();
    const url = `https://github.com/Codertocat/Hello-World/actions/runs/${RUN_ID + 1}`;
    await deliver(keel, 'issue_comment', issueComment(`/keel diagnose ${url}`, { pull: true }));
    expect(replies[0]).toContain('### ❌ CI failed on `ec26c3e`');
  });

  it('says so when Keel has no diagnosis of the run', async () => {
    const { replies, reactions } = answered();
    await deliver(keel, 'issue_comment', issueComment('/keel diagnose 999', { pull: true }));
    expect(reactions).toEqual(['eyes', 'confused']);
    expect(replies[0]).toContain('Keel has no diagnosis of run 999');
  });
});

describe('acting commands and the commenter role', () => {
  it('refuses /keel rerun to someone with read access, asking GitHub rather than the payload', async () => {
    const { replies, reactions, scope } = answered();
    mockRole(scope, 'read');
    await deliver(keel, 'issue_comment', issueComment('/keel rerun', { pull: true }));
    expect(reactions).toEqual(['eyes', 'confused']);
    expect(replies[0]).toContain(
      '`/keel rerun` needs write, maintain or admin on Codertocat/Hello-World; @Codertocat has read.',
    );
  });

  it('runs for a maintainer (GitHub reports maintain as permission write, role maintain)', async () => {
    await storeInstallation(keel, { metadata: 'read', actions: 'read' });
    const { replies, scope } = answered();
    mockRole(scope, 'write', 'maintain');
    await deliver(keel, 'issue_comment', issueComment('/keel rerun', { pull: true }));
    expect(replies[0]).not.toContain('needs write, maintain or admin');
  });
});

describe('/keel rerun', () => {
  it('without actions: write, says which permission is missing and how to grant it', async () => {
    await storeInstallation(keel, { metadata: 'read', actions: 'read', issues: 'write', pull_requests: 'write' });
    const { replies, scope } = answered();
    mockRole(scope, 'admin');
    await deliver(keel, 'issue_comment', issueComment('/keel rerun', { pull: true }));
    expect(replies[0]).toContain(
      "`/keel rerun` needs `actions: write`, which this installation has not granted. To grant it, a Keel admin adds the permission to the opt-in rerun capability's GitHub App",
    );
  });

  it('with the grant but the rerun service off, points to the console switch', async () => {
    await storeInstallation(keel, { metadata: 'read', actions: 'write' });
    const { replies, scope } = answered();
    mockRole(scope, 'write');
    await deliver(keel, 'issue_comment', issueComment('/keel rerun', { pull: true }));
    expect(replies[0]).toContain('switched off for this installation (it is opt-in)');
    expect(replies[0]).toContain('[console](https://keel.example.com/console/integrations/42)');
  });

  it("re-runs the failed jobs of the head's failed runs with an actions: write token", async () => {
    await storeInstallation(keel, { metadata: 'read', actions: 'write' });
    await switchOn({ rerun: true });
    await storeFailedRun();
    const { replies, reactions, scope } = answered();
    mockRole(scope, 'write');
    mockPull(scope);
    scope
      .post(`/app/installations/${INSTALLATION_ID}/access_tokens`, {
        repository_ids: [REPOSITORY_ID],
        permissions: { actions: 'write' },
      })
      .reply(201, {
        token: 'ghs_rerunTestToken',
        expires_at: new Date(Date.now() + 3_600_000).toISOString(),
        permissions: { actions: 'write' },
      })
      .post(`${REPO_PATH}/actions/runs/${RUN_ID}/rerun-failed-jobs`)
      .reply(201, {});
    await deliver(keel, 'issue_comment', issueComment('/keel rerun', { pull: true }));
    expect(reactions).toEqual(['eyes', 'rocket']);
    expect(replies[0]).toContain('Re-running the failed jobs of `ec26c3e`:');
    expect(replies[0]).toContain(`- [CI #${RUN_ID}](https://github.com/Codertocat/Hello-World/actions/runs/${RUN_ID})`);
  });
});

describe('pull request commands on an issue', () => {
  it('answers that they work on pull requests only, without asking for the role', async () => {
    const github = recordedGitHub();
    mockConfig(github.scope, null);
    mockCommandsToken(github.scope);
    const replies = mockReply(github.scope, 1);
    mockReactions(github.scope);
    await deliver(keel, 'issue_comment', issueComment('/keel check'));
    expect(replies[0]).toContain('`/keel check` works on pull requests only; this is an issue.');
  });
});
