import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RerunNotGrantedError } from '../../src/ci/errors.js';
import { rerunFailedJobs, type RerunDeps } from '../../src/ci/rerun.js';
import { INSTALLATION_ID, OWNER, REPO, REPOSITORY_ID } from '../../fixtures/ci/payloads.js';
import { githubApi, useGitHubMock } from '../helpers/github-mock.js';
import { startKeel, type TestKeel } from '../helpers/keel.js';

useGitHubMock();

const RUN_ID = 30433642;
const repo = { id: REPOSITORY_ID, owner: OWNER, name: REPO };

let keel: TestKeel;
let deps: RerunDeps;
beforeEach(async () => {
  keel = await startKeel();
  deps = {
    store: keel.keel.store,
    tokens: keel.keel.tokens,
    githubHost: keel.config.githubHost,
    githubWebUrl: keel.config.githubWebUrl,
  };
});
afterEach(() => keel.stop());

async function storeInstallation(permissions: Record<string, string>): Promise<void> {
  await keel.keel.store.db
    .insertInto('installations')
    .values({
      id: INSTALLATION_ID,
      account_login: OWNER,
      account_type: 'Organization',
      account_id: 1,
      installed_by: null,
      repository_selection: 'selected',
      permissions: JSON.stringify(permissions),
      events: '[]',
      suspended_at: null,
      suspended_by: null,
      state: 'connected',
      created_at: 0,
      updated_at: 0,
      repository_count: 1,
    })
    .execute();
}

describe('rerunFailedJobs with actions: write granted', () => {
  it('re-runs the failed jobs with a token narrowed to actions: write on that repository', async () => {
    await storeInstallation({ metadata: 'read', actions: 'write', statuses: 'write' });
    const github = githubApi();
    github
      .post(`/app/installations/${INSTALLATION_ID}/access_tokens`, {
        repository_ids: [REPOSITORY_ID],
        permissions: { actions: 'write' },
      })
      .reply(201, {
        token: 'ghs_rerunTestToken',
        expires_at: new Date(Date.now() + 3_600_000).toISOString(),
        permissions: { actions: 'write', metadata: 'read' },
      });
    github.post(`/repos/${OWNER}/${REPO}/actions/runs/${RUN_ID}/rerun-failed-jobs`).reply(201, {});
    await expect(rerunFailedJobs(deps, { installationId: INSTALLATION_ID, repo, runId: RUN_ID })).resolves.toEqual({
      runId: RUN_ID,
      runUrl: `https://github.com/${OWNER}/${REPO}/actions/runs/${RUN_ID}`,
    });
  });
});

describe('rerunFailedJobs without actions: write', () => {
  it('refuses before any request, naming the permission, the opt-in capability and how to grant it', async () => {
    await storeInstallation({ metadata: 'read', actions: 'read' });
    const error = await rerunFailedJobs(deps, { installationId: INSTALLATION_ID, repo, runId: RUN_ID }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(RerunNotGrantedError);
    expect(error).toMatchObject({
      code: 'RERUN_NOT_GRANTED',
      permission: 'actions',
      level: 'write',
      capability: 'rerun',
      message: `Re-running failed jobs needs actions: write, which installation ${INSTALLATION_ID} has only at actions: read. It belongs to the opt-in rerun capability.`,
    });
    expect((error as RerunNotGrantedError).remedy).toContain('"Actions: Read and write"');
  });

  it('refuses for an installation Keel has no record of', async () => {
    await expect(rerunFailedJobs(deps, { installationId: INSTALLATION_ID, repo, runId: RUN_ID })).rejects.toThrow(
      `Re-running failed jobs needs actions: write, which installation ${INSTALLATION_ID} has not granted.`,
    );
  });

  it('trusts the permissions of an installation payload over the stored ones', async () => {
    await storeInstallation({ actions: 'write' });
    await expect(
      rerunFailedJobs(deps, { installationId: INSTALLATION_ID, repo, runId: RUN_ID, grantedPermissions: {} }),
    ).rejects.toBeInstanceOf(RerunNotGrantedError);
  });
});
