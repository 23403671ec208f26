import type nock from 'nock';
import { ProbotOctokit } from 'probot';
import { describe, expect, it } from 'vitest';
import { planWriteRoundTrip } from '../../../src/connection/verify/plan-write-round-trip.js';
import { runWriteRoundTrip } from '../../../src/connection/verify/run-write-round-trip.js';
import { githubApi, useGitHubMock } from '../../helpers/github-mock.js';

useGitHubMock();

const quiet = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
const installationOctokit = new ProbotOctokit({
  auth: { token: 'ghs_test' },
  retry: { enabled: false },
  throttle: { enabled: false },
  log: quiet,
});
const steps = planWriteRoundTrip({
  owner: 'acme',
  repo: 'web',
  at: '2025-06-01T12:00:00.000Z',
});
const REPO = '/repos/acme/web';
const BRANCH_REF = `${REPO}/git/refs/heads/keel/connection-check`;

function run(dryRun = false) {
  return runWriteRoundTrip({
    steps,
    dryRun,
    installationOctokit,
    apiHost: 'api.github.com',
  });
}

function summarize(checks: { name: string; status: string }[]) {
  return checks.map((check) => `${check.name}:${check.status}`);
}

function mockBranch(scope: nock.Scope): nock.Scope {
  return scope
    .get(REPO)
    .reply(200, { default_branch: 'main' })
    .get(`${REPO}/git/ref/heads/main`)
    .reply(200, { ref: 'refs/heads/main', object: { sha: 'head111' } })
    .delete(BRANCH_REF)
    .reply(422, { message: 'Reference does not exist' })
    .post(`${REPO}/git/refs`, {
      ref: 'refs/heads/keel/connection-check',
      sha: 'head111',
    })
    .reply(201, {
      ref: 'refs/heads/keel/connection-check',
      object: { sha: 'head111' },
    });
}

function mockCommit(scope: nock.Scope): nock.Scope {
  return scope
    .put(
      `${REPO}/contents/.keel/connection-check.md`,
      (body: { branch?: string }) => body.branch === 'keel/connection-check',
    )
    .reply(201, { commit: { sha: 'commit222' } });
}

describe('runWriteRoundTrip', () => {
  it('describes every step as a skipped "dry run: would …" without calling GitHub', async () => {
    const checks = await run(true);
    expect(checks[1]).toEqual({
      name: 'write:commit',
      status: 'skip',
      finding:
        'dry run: would commit .keel/connection-check.md to keel/connection-check (PUT /repos/acme/web/contents/.keel/connection-check.md)',
      remedy: '',
    });
  });

  it('passes every step when GitHub accepts each write, then cleans up', async () => {
    mockCommit(mockBranch(githubApi()))
      .post(`${REPO}/pulls`, {
        title: 'Keel connection check',
        head: 'keel/connection-check',
        base: 'main',
        body: /draft/,
        draft: true,
      })
      .reply(201, { number: 7 })
      .post(`${REPO}/statuses/commit222`, {
        state: 'success',
        context: 'keel/connection-check',
        description: 'Keel can write here',
      })
      .reply(201, {})
      .post(`${REPO}/issues/7/comments`)
      .reply(201, {})
      .patch(`${REPO}/pulls/7`, { state: 'closed' })
      .reply(200, {})
      .delete(BRANCH_REF)
      .reply(204);
    expect(summarize(await run())).toEqual([
      'write:branch:pass',
      'write:commit:pass',
      'write:pull-request:pass',
      'write:status:pass',
      'write:comment:pass',
      'write:cleanup:pass',
    ]);
  });

  it('tells each step as it starts and as it ends, before the next one starts', async () => {
    mockCommit(mockBranch(githubApi()))
      .post(`${REPO}/pulls`)
      .reply(422, { message: 'Draft pull requests are not supported in this repository.' })
      .delete(BRANCH_REF)
      .reply(204);
    const told: string[] = [];
    await runWriteRoundTrip({
      steps,
      dryRun: false,
      installationOctokit,
      apiHost: 'api.github.com',
      onStep: (progress) => void told.push(`${progress.name}:${progress.status}`),
    });
    expect(told).toEqual([
      'write:branch:running',
      'write:branch:pass',
      'write:commit:running',
      'write:commit:pass',
      'write:pull-request:running',
      'write:pull-request:fail',
      'write:status:skip',
      'write:comment:skip',
      'write:cleanup:running',
      'write:cleanup:pass',
    ]);
  });

  it('still deletes the branch when opening the pull request fails', async () => {
    mockCommit(mockBranch(githubApi()))
      .post(`${REPO}/pulls`)
      .reply(422, {
        message: 'Draft pull requests are not supported in this repository.',
      })
      .delete(BRANCH_REF)
      .reply(204);
    expect(summarize(await run())).toEqual([
      'write:branch:pass',
      'write:commit:pass',
      'write:pull-request:fail',
      'write:status:skip',
      'write:comment:skip',
      'write:cleanup:pass',
    ]);
  });

  it('names the failed request and the reason', async () => {
    mockCommit(mockBranch(githubApi()))
      .post(`${REPO}/pulls`)
      .reply(422, {
        message: 'Draft pull requests are not supported in this repository.',
      })
      .delete(BRANCH_REF)
      .reply(204);
    expect((await run())[2]?.finding).toBe(
      'POST /repos/acme/web/pulls: GitHub refused the request: Draft pull requests are not supported in this repository.',
    );
  });

  it('asks an owner to accept permissions when the branch is refused as not accessible by integration', async () => {
    githubApi()
      .get(REPO)
      .reply(200, { default_branch: 'main' })
      .get(`${REPO}/git/ref/heads/main`)
      .reply(200, { object: { sha: 'head111' } })
      .delete(BRANCH_REF)
      .reply(403, { message: 'Resource not accessible by integration' });
    const [branch, , , , , cleanup] = await run();
    expect([branch?.kind, branch?.remedy, cleanup?.finding]).toEqual([
      'permission-missing',
      expect.stringContaining('an organization owner must accept the new permissions'),
      'nothing to clean up',
    ]);
  });

  describe('a commit that touches a workflow', () => {
    const workflowSteps = planWriteRoundTrip({
      owner: 'acme',
      repo: 'web',
      at: '2025-06-01T12:00:00.000Z',
      path: '.github/workflows/keel-connection-check.yml',
    });
    const refusal = {
      message:
        'refusing to allow a GitHub App to create or update workflow `.github/workflows/keel-connection-check.yml` without `workflows` permission',
    };
    const ALL = { metadata: 'read', contents: 'write', pull_requests: 'write', statuses: 'write', issues: 'write' };

    function mockRefusedCommit() {
      mockBranch(githubApi())
        .put(`${REPO}/contents/.github/workflows/keel-connection-check.yml`)
        .reply(403, refusal)
        .delete(BRANCH_REF)
        .reply(204);
    }

    it('reports a token narrowed too far (a Keel bug) when the installation grants what the token lacked', async () => {
      mockRefusedCommit();
      const checks = await runWriteRoundTrip({
        steps: workflowSteps,
        dryRun: false,
        installationOctokit,
        apiHost: 'api.github.com',
        granted: { ...ALL, workflows: 'write' },
        tokenPermissions: ALL,
      });
      expect(checks[1]).toEqual({
        name: 'write:commit',
        status: 'fail',
        finding: expect.stringMatching(
          /^PUT \/repos\/acme\/web\/contents\/\.github\/workflows\/keel-connection-check\.yml: token narrowed too far: the installation grants workflows: write, but the token Keel minted/,
        ),
        remedy: expect.stringContaining('This is a Keel bug, not a missing grant'),
      });
    });

    it('still asks an owner to accept the permission when the installation does not grant it', async () => {
      mockRefusedCommit();
      const checks = await runWriteRoundTrip({
        steps: workflowSteps,
        dryRun: false,
        installationOctokit,
        apiHost: 'api.github.com',
        granted: ALL,
        tokenPermissions: ALL,
      });
      expect(checks[1]?.finding).not.toContain('narrowed too far');
    });
  });

  it('skips every step when there is no installation token', async () => {
    const checks = await runWriteRoundTrip({
      steps,
      dryRun: false,
      installationOctokit: undefined,
      apiHost: 'api.github.com',
    });
    expect(new Set(checks.map((check) => check.finding))).toEqual(new Set(['skipped: no installation token']));
  });
});
