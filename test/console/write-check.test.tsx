/**
 * "Verify by opening a pull request" shows each step as it happens: the post answers at once and
 * sends the admin to the run's page, which reloads itself while steps run (no JavaScript) and
 * shows done, running and pending steps, then the outcome. GitHub holds its answer to the pull
 * request creation, so the page is read mid-run.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { consolePlugin } from '../../src/console/plugin.js';
import { useGitHubMock } from '../helpers/github-mock.js';
import { startKeel, type TestKeel } from '../helpers/keel.js';
import { mockVerification } from '../connection/mock-verification.js';
import { seedIntegration, signIn } from './pages/console-fixtures.js';

useGitHubMock();

let keel: TestKeel;
beforeAll(async () => {
  keel = await startKeel({
    plugins: [consolePlugin()],
    env: { GITHUB_CLIENT_ID: 'Iv1.console', GITHUB_CLIENT_SECRET: 'console-client-secret-0123456789' },
  });
  await seedIntegration(keel.keel.store, { id: 42, login: 'acme', repositories: ['acme/api', 'acme/site'] });
});
afterAll(() => keel.stop());

const REPO = '/repos/acme/api';
const BRANCH_REF = `${REPO}/git/refs/heads/keel/connection-check`;

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/** The read checks, then the round trip's writes; GitHub answers the pull request only once `release` settles. */
function mockRoundTrip(pullRequestArrived: () => void, release: Promise<void>) {
  const scope = mockVerification({
    installationId: 42,
    account: { login: 'acme', type: 'Organization', id: 420 },
    repositoriesReply: [
      200,
      {
        total_count: 1,
        repository_selection: 'selected',
        repositories: [{ id: 42000, name: 'api', full_name: 'acme/api', private: true }],
      },
    ],
  });
  scope
    .get(REPO)
    .reply(200, { default_branch: 'main' })
    .get(`${REPO}/git/ref/heads/main`)
    .reply(200, { object: { sha: 'head111' } })
    .delete(BRANCH_REF)
    .reply(422, { message: 'Reference does not exist' })
    .post(`${REPO}/git/refs`)
    .reply(201, { ref: 'refs/heads/keel/connection-check' })
    .put(`${REPO}/contents/.keel/connection-check.md`)
    .reply(201, { commit: { sha: 'commit222' } })
    .post(`${REPO}/pulls`)
    .reply(async () => {
      pullRequestArrived();
      await release;
      return [201, { number: 7 }];
    })
    .post(`${REPO}/statuses/commit222`)
    .reply(201, {})
    .post(`${REPO}/issues/7/comments`)
    .reply(201, {})
    .patch(`${REPO}/pulls/7`)
    .reply(200, {})
    .delete(BRANCH_REF)
    .reply(204);
}

function steps(html: string): string[] {
  return [...html.matchAll(/data-step="([^"]+)" data-status="([^"]+)"/g)].map((match) => `${match[1]}:${match[2]}`);
}

describe('Verify by opening a pull request', () => {
  it('shows each step as it happens, reloading itself while it runs, then the outcome', async () => {
    const client = await signIn(keel, { id: 1, login: 'octocat', memberships: { acme: 'admin' }, orgs: ['acme'] });
    const arrived = deferred();
    const release = deferred();
    mockRoundTrip(arrived.resolve, release.promise);

    const posted = await client.post('/console/integrations/42/test', { repository: 'acme/api' });
    expect(posted.status).toBe(303);
    const runPage = posted.headers.get('location') ?? '';
    expect(runPage).toMatch(/^\/console\/integrations\/42\/write-checks\/[\w-]+$/);

    await arrived.promise;
    const during = await (await client.get(runPage)).text();
    expect(steps(during)).toEqual([
      'connection:pass',
      'write:branch:pass',
      'write:commit:pass',
      'write:pull-request:running',
      'write:status:pending',
      'write:comment:pending',
      'write:cleanup:pending',
    ]);
    expect(during).toContain('<meta http-equiv="refresh" content="2"/>');
    expect(during).toContain('Keel will set commit status keel/connection-check.');

    release.resolve();
    const after = await vi.waitFor(
      async () => {
        const html = await (await client.get(runPage)).text();
        expect(html).not.toContain('http-equiv="refresh"');
        return html;
      },
      { timeout: 5_000, interval: 50 },
    );
    expect(steps(after)).toEqual([
      'connection:pass',
      'write:branch:pass',
      'write:commit:pass',
      'write:pull-request:pass',
      'write:status:pass',
      'write:comment:pass',
      'write:cleanup:pass',
    ]);
    expect(after).toContain('Keel opened a pull request in acme/api');
    const audit = await keel.keel.store.db
      .selectFrom('audit')
      .select(['action', 'actor'])
      .where('action', '=', 'integration.write-check')
      .execute();
    expect(audit).toEqual([{ action: 'integration.write-check', actor: 'octocat' }]);
  });

  it('refuses a repository of another integration, starting nothing', async () => {
    const client = await signIn(keel, { id: 1, login: 'octocat', memberships: { acme: 'admin' }, orgs: ['acme'] });
    const posted = await client.post('/console/integrations/42/test', { repository: 'globex/api' });
    expect(posted.headers.get('location')).toBe('/console/integrations/42');
    expect(await (await client.get('/console/integrations/42')).text()).toContain(
      'globex/api is not a repository of this integration.',
    );
  });

  it('answers 404 for a run of another integration', async () => {
    const client = await signIn(keel, { id: 1, login: 'octocat', memberships: { acme: 'admin' }, orgs: ['acme'] });
    expect((await client.get('/console/integrations/42/write-checks/no-such-run')).status).toBe(404);
  });
});
