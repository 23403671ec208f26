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
import { finishWriteCheck, startWriteCheck, WRITE_CHECK_STALE_MS } from '../../src/integrations/write-checks.js';
import { deferred, mockRoundTrip } from '../integrations/mock-round-trip.js';
import { seedIntegration, signIn } from './pages/console-fixtures.js';

useGitHubMock();

let keel: TestKeel;
beforeAll(async () => {
  keel = await startKeel({
    plugins: [consolePlugin()],
    env: { GITHUB_CLIENT_ID: 'Iv1.console', GITHUB_CLIENT_SECRET: 'console-client-secret-0123456789' },
  });
  await seedIntegration(keel.keel.store, { id: 42, login: 'acme', repositories: ['acme/api', 'acme/site'] });
  await seedIntegration(keel.keel.store, { id: 77, login: 'globex', repositories: ['globex/api'] });
});

const ORGS = ['acme', 'globex'];
const owner = () => signIn(keel, { id: 1, login: 'octocat', memberships: { acme: 'admin' }, orgs: ORGS });

/** A run of integration 42 stored as a Keel process leaves it: finished, or left `agoMs` ago. */
async function storeRun(id: string, options: { agoMs: number; finished: boolean }): Promise<string> {
  const at = Date.now() - options.agoMs;
  await startWriteCheck(keel.keel.store, {
    id,
    installationId: 42,
    repository: 'acme/site',
    actor: 'hubot',
    planned: [{ name: 'write:branch', action: 'create branch keel/connection-check' }],
    now: at,
  });
  if (options.finished) await finishWriteCheck(keel.keel.store, id, { state: 'connected', checks: [] }, at + 1);
  return `/console/integrations/42/write-checks/${id}`;
}

function mockAcmeRoundTrip(onPullRequest: () => void, release: Promise<void>) {
  mockRoundTrip({ installationId: 42, login: 'acme', repo: 'api', onPullRequest, release });
}
afterAll(() => keel.stop());

function steps(html: string): string[] {
  return [...html.matchAll(/data-step="([^"]+)" data-status="([^"]+)"/g)].map((match) => `${match[1]}:${match[2]}`);
}

describe('Verify by opening a pull request', () => {
  it('shows each step as it happens, reloading itself while it runs, then the outcome', async () => {
    const client = await owner();
    const arrived = deferred();
    const release = deferred();
    mockAcmeRoundTrip(arrived.resolve, release.promise);

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

    // The integration's page links the run and its outcome, so a run started and left is found again.
    const page = await (await client.get('/console/integrations/42')).text();
    expect(page).toContain(`<a href="${runPage}">Latest pull request verification in acme/api</a>`);
    expect(page).toMatch(/data-latest-write-check="passed"[^]*?Label--success">Passed</);
  });

  it('sends a second start to the run already going on, saying why, and starts nothing on GitHub', async () => {
    const client = await owner();
    const arrived = deferred();
    const release = deferred();
    mockAcmeRoundTrip(arrived.resolve, release.promise);
    const first = (await client.post('/console/integrations/42/test', { repository: 'acme/api' })).headers.get(
      'location',
    );
    await arrived.promise;

    const second = await client.post('/console/integrations/42/test', { repository: 'acme/api' });
    expect([second.status, second.headers.get('location')]).toEqual([303, first]);
    const shown = await (await client.get(first ?? '')).text();
    expect(shown).toContain('A pull request verification of integration 42 is already running');
    expect(shown).toContain('Verify by opening a pull request in acme/api');

    release.resolve();
    await vi.waitFor(async () => expect(await (await client.get(first ?? '')).text()).toContain('Keel opened'), {
      timeout: 5_000,
      interval: 50,
    });
  });

  it('shows a run its process left behind as interrupted, on its page and the integration’s', async () => {
    const client = await owner();
    // The latest run of the integration is the one left behind.
    await keel.keel.store.db.deleteFrom('write_checks').execute();
    const runPage = await storeRun('left-behind', { agoMs: WRITE_CHECK_STALE_MS + 60_000, finished: false });
    const html = await (await client.get(runPage)).text();
    expect(html).not.toContain('http-equiv="refresh"');
    expect(html).toContain('process before it finished');
    const page = await (await client.get('/console/integrations/42')).text();
    expect(page).toMatch(/data-latest-write-check="interrupted"[^]*?>Interrupted</);
    // An interrupted run does not hold the integration: a new one may start.
    await keel.keel.store.db.deleteFrom('write_checks').where('id', '=', 'left-behind').execute();
  });

  it('refuses a repository of another integration, starting nothing', async () => {
    const client = await owner();
    const posted = await client.post('/console/integrations/42/test', { repository: 'globex/api' });
    expect(posted.headers.get('location')).toBe('/console/integrations/42');
    expect(await (await client.get('/console/integrations/42')).text()).toContain(
      'globex/api is not a repository of this integration.',
    );
  });

  it('answers 404 for a run of another integration', async () => {
    const client = await owner();
    expect((await client.get('/console/integrations/42/write-checks/no-such-run')).status).toBe(404);
  });
});

describe('who may start and see a pull request verification', () => {
  it('lets a member see a run but not start one (403), starting nothing', async () => {
    const runPage = await storeRun('seen-by-member', { agoMs: 1_000, finished: true });
    const member = await signIn(keel, { id: 2, login: 'mona', memberships: { acme: 'member' }, orgs: ORGS });
    expect((await member.get(runPage)).status).toBe(200);
    const posted = await member.post('/console/integrations/42/test', { repository: 'acme/api' });
    expect(posted.status).toBe(403);
    const started = await keel.keel.store.db.selectFrom('write_checks').select('actor').execute();
    expect(started.map((row) => row.actor)).not.toContain('mona');
  });

  it('answers 404 to a user of another account for the run page and the start, even with the run id', async () => {
    const runPage = await storeRun('not-for-globex', { agoMs: 1_000, finished: true });
    const outsider = await signIn(keel, { id: 3, login: 'gizmo', memberships: { globex: 'admin' }, orgs: ORGS });
    expect((await outsider.get(runPage)).status).toBe(404);
    expect((await outsider.get('/console/integrations/77/write-checks/not-for-globex')).status).toBe(404);
    expect((await outsider.post('/console/integrations/42/test', { repository: 'acme/api' })).status).toBe(404);
  });

  it('refuses a start without the CSRF token (403)', async () => {
    const client = await owner();
    const posted = await client.post('/console/integrations/42/test', { repository: 'acme/api' }, { csrf: false });
    expect(posted.status).toBe(403);
  });
});
