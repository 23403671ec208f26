import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { discoverInstallations } from '../../src/connection/discover-installations.js';
import { connectionPlugin, type ConnectionPluginOptions } from '../../src/connection/plugin.js';
import app from '../../fixtures/connection/app.json' with { type: 'json' };
import hookConfig from '../../fixtures/connection/hook-config.json' with { type: 'json' };
import { example } from '../../fixtures/index.js';
import { GITHUB_API, githubApi, useGitHubMock } from '../helpers/github-mock.js';
import { startKeel, type TestKeel } from '../helpers/keel.js';
import { installationBody, mockVerification } from './mock-verification.js';

useGitHubMock();

const directory = mkdtempSync(join(tmpdir(), 'keel-discovery-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const UNKNOWN = 777;
const ACME = { login: 'acme', type: 'Organization', id: 100 };
let keel: TestKeel | undefined;
afterEach(async () => {
  await keel?.stop();
  keel = undefined;
});

async function start(name: string, options: ConnectionPluginOptions = {}): Promise<TestKeel> {
  keel = await startKeel({
    env: { DATABASE_URL: `file:${join(directory, `${name}.db`)}` },
    plugins: [connectionPlugin({ tickMs: 20, githubRetries: 0, ...options })],
  });
  return keel;
}

/** Keel with lifecycle events handled and no background run yet: `discover()` runs one discovery. */
async function startQuiet(name: string) {
  const started = await start(name, { background: false });
  const discover = async () =>
    discoverInstallations({
      appOctokit: await started.keel.probot.auth(),
      store: started.keel.store,
      now: Date.now,
      apiHost: 'api.github.com',
    });
  return { keel: started, discover };
}

function mockListing(installations: object[]) {
  return githubApi().get('/app/installations').query({ per_page: 100 }).reply(200, installations);
}

async function listShown(from: TestKeel) {
  return (await (await from.api('/api/installations')).json()) as {
    id: number;
    state: string;
    report: unknown;
  }[];
}

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the hourly run', () => {
  it('shows an installation Keel had no event for as pending, then verifies it', async () => {
    let release!: () => void;
    const hold = new Promise<void>((resolve) => (release = resolve));
    githubApi().get('/app/hook/deliveries').query({ per_page: 100 }).reply(200, []);
    mockListing([installationBody({ installationId: UNKNOWN, account: ACME })]);
    mockVerification({ installationId: UNKNOWN, account: ACME, hold });
    const running = await start('pending-then-verified');

    const pending = await waitFor(
      () => listShown(running),
      (shown) => shown.length > 0,
    );
    release();
    const verified = await waitFor(
      () => listShown(running),
      (shown) => shown[0]?.report !== null,
    );
    expect({ pending, verified }).toMatchObject({
      pending: [{ id: UNKNOWN, state: 'pending', report: null, account: { login: 'acme' } }],
      verified: [{ id: UNKNOWN, state: 'connected', report: { checks: expect.any(Array) } }],
    });
  });

  it('stores the repositories of an installation it discovered, as its verification lists them', async () => {
    githubApi().get('/app/hook/deliveries').query({ per_page: 100 }).reply(200, []);
    mockListing([installationBody({ installationId: UNKNOWN, account: ACME })]);
    mockVerification({ installationId: UNKNOWN, account: ACME, repositories: 3 });
    const running = await start('discovered-repositories');
    await waitFor(
      () => listShown(running),
      (shown) => shown[0]?.report !== null && shown[0]?.report !== undefined,
    );
    const detail = (await (await running.api(`/api/installations/${UNKNOWN}`)).json()) as { repositories: unknown };
    expect(detail.repositories).toEqual({
      selection: 'selected',
      count: 3,
      list: [
        { id: 1000, fullName: 'acme/repo-1', private: true },
        { id: 1001, fullName: 'acme/repo-2', private: true },
        { id: 1002, fullName: 'acme/repo-3', private: true },
      ],
    });
  });

  it('keeps an installation GitHub no longer lists, and marks it uninstalled when GitHub answers 404', async () => {
    const seeding = await startQuiet('unlisted');
    await seeding.keel.send('installation', example('installation.suspend'));
    await seeding.keel.keel.worker.idle();
    await seeding.keel.stop();
    keel = undefined;

    githubApi()
      .get('/app/hook/deliveries')
      .query({ per_page: 100 })
      .reply(200, [])
      .get('/app/installations')
      .query({ per_page: 100 })
      .reply(200, [])
      .get('/app')
      .reply(200, app)
      .get('/app/installations/16598467')
      .reply(404, { message: 'Not Found' })
      .get('/app/hook/config')
      .reply(200, hookConfig)
      .get('/app/hook/deliveries')
      .query({ per_page: 100 })
      .reply(200, []);
    const running = await start('unlisted');
    const shown = await waitFor(
      () => listShown(running),
      (list) => list[0]?.report !== null,
    );
    expect(shown).toMatchObject([{ id: 16598467, state: 'uninstalled' }]);
  });
});

describe('discoverInstallations', () => {
  it('writes the installation as installation.created would: account, selection, permissions, events, suspension', async () => {
    const { keel: quiet, discover } = await startQuiet('facts');
    mockListing([
      {
        ...installationBody({ installationId: UNKNOWN, account: ACME, selection: 'all' }),
        suspended_at: '2025-06-01T10:00:00Z',
        suspended_by: { login: 'octo-admin' },
      },
    ]);
    await discover();
    expect(await (await quiet.api(`/api/installations/${UNKNOWN}`)).json()).toMatchObject({
      id: UNKNOWN,
      account: ACME,
      state: 'pending',
      installedBy: null,
      suspendedAt: '2025-06-01T10:00:00.000Z',
      suspendedBy: 'octo-admin',
      events: expect.arrayContaining(['pull_request', 'workflow_run']),
      permissions: { granted: { contents: 'write', metadata: 'read', workflows: 'write' } },
      repositories: { selection: 'all', count: null },
      name: ACME.login,
      services: { 'pr-checks': true, ci: true, repair: true, commands: true, rerun: false },
      exclusions: [],
    });
    const integration = await quiet.keel.store.db
      .selectFrom('integrations')
      .select(['provider', 'host', 'name', 'added_by'])
      .where('installation_id', '=', UNKNOWN)
      .executeTakeFirst();
    expect(integration).toEqual({ provider: 'github', host: 'github.com', name: ACME.login, added_by: null });
  });

  it('leaves an audit entry with no actor', async () => {
    const { keel: quiet, discover } = await startQuiet('audit');
    mockListing([installationBody({ installationId: UNKNOWN, account: ACME })]);
    await discover();
    const entries = await quiet.keel.store.db
      .selectFrom('audit')
      .select(['installation_id', 'actor', 'action'])
      .where('installation_id', '=', UNKNOWN)
      .execute();
    expect(entries.map((entry) => ({ ...entry, installation_id: Number(entry.installation_id) }))).toEqual([
      { installation_id: UNKNOWN, actor: null, action: 'installation.discovered' },
    ]);
  });

  it('does not bring back an installation deleted through the deleted event', async () => {
    const { keel: quiet, discover } = await startQuiet('deleted');
    const deleted = example('installation.deleted');
    await quiet.send('installation', deleted);
    await quiet.keel.worker.idle();
    mockListing([installationBody({ installationId: deleted.installation.id })]);
    const result = await discover();
    expect({ result, status: (await quiet.api(`/api/installations/${deleted.installation.id}`)).status }).toEqual({
      result: expect.objectContaining({ listed: 1, discovered: [], deleted: 1 }),
      status: 404,
    });
  });

  it('changes nothing about installations Keel already knows', async () => {
    const { keel: quiet, discover } = await startQuiet('known');
    await quiet.send('installation', example('installation.suspend'));
    await quiet.keel.worker.idle();
    const before = await (await quiet.api('/api/installations/16598467')).json();
    mockListing([installationBody({ installationId: 16598467 })]);
    const result = await discover();
    expect({ result, after: await (await quiet.api('/api/installations/16598467')).json() }).toEqual({
      result: { pages: 1, listed: 1, discovered: [], deleted: 0, unlisted: 0 },
      after: before,
    });
  });

  it('reads every page, one request per 100 installations', async () => {
    const { keel: quiet, discover } = await startQuiet('pages');
    const firstPage = Array.from({ length: 100 }, (_, index) => installationBody({ installationId: 1000 + index }));
    const requests: string[] = [];
    const scope = githubApi()
      .get('/app/installations')
      .query({ per_page: 100 })
      .reply(200, firstPage, { link: `<${GITHUB_API}/app/installations?per_page=100&page=2>; rel="next"` })
      .get('/app/installations')
      .query({ per_page: 100, page: 2 })
      .reply(200, [installationBody({ installationId: 2000 })]);
    scope.on('request', (request: { path: string }) => requests.push(request.path));
    const result = await discover();
    const shown = await listShown(quiet);
    expect({
      requests,
      pages: result.pages,
      discovered: result.discovered.length,
      shown: [shown.length, shown.at(-1)?.id],
    }).toEqual({
      requests: ['/app/installations?per_page=100', '/app/installations?per_page=100&page=2'],
      pages: 2,
      discovered: 101,
      shown: [101, 2000],
    });
  });
});
