import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { findInstallationTables } from '../../src/connection/installation-rows.js';
import { connectionPlugin } from '../../src/connection/plugin.js';
import { example } from '../../fixtures/index.js';
import { useGitHubMock } from '../helpers/github-mock.js';
import { createPostgresStore } from '../helpers/store.js';
import { waitForDisconnect } from './postgres-settle.js';
import { startKeel, type TestKeel } from '../helpers/keel.js';
import { mockVerification } from './mock-verification.js';

useGitHubMock();

let keel: TestKeel;

beforeEach(async () => {
  keel = await startKeel({ plugins: [connectionPlugin({ background: false, githubRetries: 0 })] });
});
afterEach(() => keel.stop());

async function deliver(event: string, payload: unknown): Promise<void> {
  expect((await keel.send(event, payload)).status).toBe(202);
  await keel.keel.worker.idle();
}

async function show(id: number): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await keel.api(`/api/installations/${id}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** installation.created for installation 2 (octocat, one repository), as the deleted example knows it. */
function createdForInstallation2() {
  const payload = example('installation.created');
  const deleted = example('installation.deleted');
  payload.installation = { ...deleted.installation, suspended_at: null, suspended_by: null };
  payload.repositories = deleted.repositories;
  payload.sender = deleted.sender;
  return payload;
}

const OCTOCAT = { login: 'octocat', type: 'User', id: 1 };

/** GitHub's repository listing for the verification, naming the repositories the payload granted. */
function listing(repositories: readonly { id: number; full_name: string; private: boolean }[]): [number, object] {
  return [
    200,
    {
      total_count: repositories.length,
      repositories: repositories.map((repository) => ({ ...repository, name: repository.full_name.split('/')[1] })),
    },
  ];
}
const HELLO_WORLD = { id: 186853002, full_name: 'Codertocat/Hello-World', private: false };

describe('installation.created', () => {
  it('records who installed it and the repositories it was given', async () => {
    mockVerification({ installationId: 957387, repositoriesReply: listing([HELLO_WORLD]) });
    await deliver('installation', example('installation.created'));
    expect((await show(957387)).body).toMatchObject({
      id: 957387,
      installedBy: 'Codertocat',
      suspendedAt: null,
      repositories: {
        selection: 'selected',
        count: 1,
        list: [{ id: 186853002, fullName: 'Codertocat/Hello-World', private: false }],
      },
    });
  });

  it('records the account it was installed on', async () => {
    mockVerification({ installationId: 957387, account: { login: 'Codertocat', type: 'User', id: 21031067 } });
    await deliver('installation', example('installation.created'));
    expect((await show(957387)).body.account).toEqual({ login: 'Codertocat', type: 'User', id: 21031067 });
  });

  it('dates the first and last delivery from the stored deliveries', async () => {
    const before = Date.now();
    mockVerification({ installationId: 957387 });
    await deliver('installation', example('installation.created'));
    const { body } = await show(957387);
    const first = Date.parse(String(body.firstDeliveryAt));
    expect([first >= before && first <= Date.now(), body.lastDeliveryAt]).toEqual([true, body.firstDeliveryAt]);
  });

  it('lets verification fill the count and the list when all repositories were granted and the payload lists none', async () => {
    const payload = example('installation.created');
    payload.installation.repository_selection = 'all';
    delete payload.repositories;
    mockVerification({ installationId: 957387, selection: 'all', repositories: 5 });
    await deliver('installation', payload);
    const { repositories } = (await show(957387)).body as { repositories: { count: number; list: unknown[] } };
    expect([repositories.count, repositories.list.length]).toEqual([5, 5]);
  });
});

describe('installation.suspend and unsuspend', () => {
  it('shows a suspended installation with when and by whom', async () => {
    await deliver('installation', example('installation.suspend'));
    expect((await show(16598467)).body).toMatchObject({
      state: 'suspended',
      suspendedAt: '2021-04-29T02:32:50.000Z',
      suspendedBy: 'Codertocat',
    });
  });

  it('clears the suspension and verifies again on unsuspend', async () => {
    await deliver('installation', example('installation.suspend'));
    mockVerification({ installationId: 16598467 });
    await deliver('installation', example('installation.unsuspend'));
    expect((await show(16598467)).body).toMatchObject({ state: 'connected', suspendedAt: null, suspendedBy: null });
  });
});

describe('installation.new_permissions_accepted', () => {
  it('verifies again and shows the grant GitHub reports now', async () => {
    mockVerification({ installationId: 957387, permissions: { metadata: 'read', contents: 'read' } });
    await deliver('installation', example('installation.new_permissions_accepted'));
    const { body } = await show(957387);
    expect([body.state, (body.permissions as { granted: unknown }).granted]).toEqual([
      'degraded',
      { contents: 'read', metadata: 'read' },
    ]);
  });
});

describe('installation_repositories', () => {
  it('adds the repositories granted later', async () => {
    mockVerification({ installationId: 957387, repositoriesReply: listing([HELLO_WORLD]) });
    await deliver('installation', example('installation.created'));
    await deliver('installation_repositories', example('installation_repositories.added'));
    expect((await show(957387)).body.repositories).toMatchObject({
      selection: 'selected',
      count: 2,
      list: [
        { id: 186853002, fullName: 'Codertocat/Hello-World' },
        { id: 186853007, fullName: 'Codertocat/Space' },
      ],
    });
  });

  it('removes the repositories taken away', async () => {
    const created = createdForInstallation2();
    mockVerification({ installationId: 2, account: OCTOCAT, repositoriesReply: listing(created.repositories ?? []) });
    await deliver('installation', created);
    await deliver('installation_repositories', example('installation_repositories.removed'));
    expect((await show(2)).body.repositories).toEqual({ selection: 'selected', count: 0, list: [] });
  });

  it('records an installation first seen through them as pending, with no report', async () => {
    await deliver('installation_repositories', example('installation_repositories.added'));
    expect((await show(957387)).body).toMatchObject({ state: 'pending', report: null });
  });
});

describe('installation_target.renamed', () => {
  it('shows the account under its new login', async () => {
    mockVerification({ installationId: 2, account: OCTOCAT });
    await deliver('installation', createdForInstallation2());
    await deliver('installation_target', example('installation_target.renamed'));
    expect((await show(2)).body.account).toMatchObject({ login: 'octo-org-renamed' });
  });
});

describe('github_app_authorization.revoked', () => {
  it('keeps an audit entry naming who revoked it', async () => {
    await deliver('github_app_authorization', example('github_app_authorization.revoked'));
    const audit = await keel.keel.store.db.selectFrom('audit').select(['action', 'actor']).execute();
    expect(audit).toEqual([{ action: 'github_app_authorization.revoked', actor: 'octocat' }]);
  });
});

describe('installation.deleted', () => {
  beforeEach(async () => {
    mockVerification({ installationId: 2, account: OCTOCAT });
    await deliver('installation', createdForInstallation2());
    await keel.keel.store.db
      .insertInto('redeliveries')
      .values({
        github_delivery_id: 1,
        guid: 'missed-one',
        requested_at: Date.now(),
        outcome: 'requested',
        installation_id: 2,
      })
      .execute();
  });

  it('answers 404 for the installation afterwards', async () => {
    await deliver('installation', example('installation.deleted'));
    expect((await show(2)).status).toBe(404);
  });

  it('leaves no row for it in any table but the audit of the deletion', async () => {
    await deliver('installation', example('installation.deleted'));
    const { db } = keel.keel.store;
    const tables = (await findInstallationTables(keel.keel.store)).filter((table) => table !== 'audit');
    const left: Record<string, number> = {
      installations: (await db.selectFrom('installations').select('id').where('id', '=', 2).execute()).length,
      delivery_payloads: (await db.selectFrom('delivery_payloads').select('delivery_seq').execute()).length,
    };
    for (const table of tables) {
      const { rows } = await sql<{
        count: number;
      }>`select count(*) as count from ${sql.table(table)} where installation_id = 2`.execute(db);
      left[table] = Number(rows[0]?.count);
    }
    expect([tables, new Set(Object.values(left))]).toEqual([
      expect.arrayContaining(['deliveries', 'redeliveries', 'reports', 'repositories']),
      new Set([0]),
    ]);
  });

  it('keeps one audit entry: who deleted it, and when', async () => {
    const before = Date.now();
    await deliver('installation', example('installation.deleted'));
    const audit = await keel.keel.store.db
      .selectFrom('audit')
      .select(['action', 'actor', 'at'])
      .where('installation_id', '=', 2)
      .execute();
    expect(audit).toEqual([{ action: 'installation.deleted', actor: 'octocat', at: expect.any(Number) }]);
    expect(Number(audit[0]?.at)).toBeGreaterThanOrEqual(before);
  });

  it('is not brought back by a late event', async () => {
    await deliver('installation', example('installation.deleted'));
    const late = example('installation_repositories.removed');
    await deliver('installation_repositories', late);
    expect((await show(2)).status).toBe(404);
  });
});

describe('GET /api/installations', () => {
  it('lists every installation', async () => {
    await deliver('installation', example('installation.suspend'));
    await deliver('installation_repositories', example('installation_repositories.added'));
    const response = await keel.api('/api/installations');
    const body = (await response.json()) as { id: number; state: string }[];
    expect(body.map(({ id, state }) => [id, state])).toEqual([
      [957387, 'pending'],
      [16598467, 'suspended'],
    ]);
  });
});

describe.skipIf(!process.env.TEST_DATABASE_URL)('installation.deleted on Postgres', () => {
  it('leaves no row for it in any table but the audit of the deletion', async () => {
    const database = await createPostgresStore(process.env.TEST_DATABASE_URL ?? '');
    const postgres = await startKeel({
      env: { DATABASE_URL: database.databaseUrl },
      plugins: [connectionPlugin({ background: false, githubRetries: 0 })],
    });
    try {
      mockVerification({ installationId: 2, account: OCTOCAT });
      await postgres.send('installation', createdForInstallation2());
      await postgres.keel.worker.idle();
      await postgres.send('installation', example('installation.deleted'));
      await postgres.keel.worker.idle();
      const { db } = postgres.keel.store;
      const tables = await findInstallationTables(postgres.keel.store);
      const counts: Record<string, number> = {};
      for (const table of tables) {
        const { rows } = await sql<{
          count: string;
        }>`select count(*) as count from ${sql.table(table)} where installation_id = 2`.execute(db);
        counts[table] = Number(rows[0]?.count);
      }
      expect([tables.length > 4, counts.audit, new Set(Object.values({ ...counts, audit: 0 }))]).toEqual([
        true,
        1,
        new Set([0]),
      ]);
    } finally {
      await postgres.stop();
      await database.store.close();
      await waitForDisconnect(database.databaseUrl);
      await database.cleanup();
    }
  });
});
