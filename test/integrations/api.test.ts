import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import accessToken from '../../fixtures/connection/access-token.json' with { type: 'json' };
import { connectionPlugin } from '../../src/connection/plugin.js';
import { insertDeliveries } from '../../src/inbox/deliveries.js';
import { githubApi, useGitHubMock } from '../helpers/github-mock.js';
import { startKeel, type TestKeel } from '../helpers/keel.js';
import { SIGN_IN_ENV, signIn, signInRoutes, type SignedIn } from '../console/auth/sign-in.js';
import { mockVerification } from '../connection/mock-verification.js';
import { seedInstallation } from './seed.js';

useGitHubMock();

let keel: TestKeel;
beforeEach(async () => {
  keel = await startKeel({
    env: SIGN_IN_ENV,
    plugins: [signInRoutes(), connectionPlugin({ background: false, githubRetries: 0 })],
  });
  await seedInstallation(keel.keel.store, { id: 101, login: 'acme', repositories: ['api', 'web', 'legacy-billing'] });
  await seedInstallation(keel.keel.store, { id: 102, login: 'globex', repositories: ['portal'] });
});
afterEach(() => keel.stop());

async function json(
  response: Response | Promise<Response>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const answered = await response;
  return { status: answered.status, body: (await answered.json()) as Record<string, unknown> };
}

function put(path: string, body: unknown) {
  return keel.api(path, { method: 'PUT', body: JSON.stringify(body) });
}

async function auditActions(installationId: number): Promise<{ action: string; actor: string | null }[]> {
  return keel.keel.store.db
    .selectFrom('audit')
    .select(['action', 'actor'])
    .where('installation_id', '=', installationId)
    .orderBy('id')
    .execute();
}

/** Mona: an owner of acme when `role` is admin, a member otherwise; not in globex. */
async function signInMona(role: 'admin' | 'member'): Promise<SignedIn> {
  const signedIn = await signIn(keel, { id: 7, login: 'mona' }, 'ghu_mona');
  githubApi().get('/user/memberships/orgs/acme').reply(200, { state: 'active', role });
  githubApi().get('/user/memberships/orgs/globex').reply(404, { message: 'Not Found' });
  return signedIn;
}

function asSession(session: SignedIn, path: string, init: RequestInit = {}, csrf = true) {
  return fetch(`${keel.url}${path}`, {
    ...init,
    headers: {
      cookie: session.cookie,
      'content-type': 'application/json',
      ...(csrf ? { 'x-csrf-token': session.csrf } : {}),
    },
  });
}

describe('GET /api/installations (admin token)', () => {
  it('shows each installation with its name, services, exclusions, who added it and when it was last updated', async () => {
    const { body } = await json(keel.api('/api/installations/101'));
    expect(body).toMatchObject({
      id: 101,
      account: { login: 'acme', type: 'Organization' },
      name: 'acme',
      services: { 'pr-checks': true, ci: true },
      exclusions: [],
      addedBy: 'founder',
      lastUpdatedAt: null,
    });
    const list = (await (await keel.api('/api/installations')).json()) as { id: number }[];
    expect(list.map((installation) => installation.id)).toEqual([101, 102]);
  });

  it('lists each installation as its own URL shows it, the repository list and the report’s extras aside', async () => {
    mockVerification({ installationId: 101, account: { login: 'acme', type: 'Organization', id: 1010 } });
    expect((await keel.api('/api/installations/101/verify', { method: 'POST', body: '{}' })).status).toBe(200);
    await insertDeliveries(keel.keel.store, [
      delivery('early', 101, 1_000),
      delivery('late', 101, 9_000),
      delivery('other', 102, 5_000),
    ]);
    const list = (await (await keel.api('/api/installations')).json()) as Record<string, unknown>[];
    for (const listed of list) {
      const detail = (await (await keel.api(`/api/installations/${String(listed.id)}`)).json()) as {
        repositories: Record<string, unknown>;
        report: Record<string, unknown> | null;
      };
      const { list: _repositories, ...repositories } = detail.repositories;
      const report = detail.report && {
        at: detail.report.at,
        installationId: detail.report.installationId,
        state: detail.report.state,
        checks: detail.report.checks,
      };
      expect(listed).toEqual({ ...detail, repositories, report });
    }
    // The contract's fields, and the times read from the deliveries' index.
    expect(list[0]).toMatchObject({
      id: 101,
      account: { login: 'acme', type: 'Organization' },
      state: 'connected',
      permissions: { required: expect.any(Object), granted: expect.any(Object), missing: [], extra: [] },
      repositories: { selection: 'selected', count: 3 },
      report: { at: expect.any(String), checks: expect.arrayContaining([expect.objectContaining({ status: 'pass' })]) },
      firstDeliveryAt: new Date(1_000).toISOString(),
      lastDeliveryAt: new Date(9_000).toISOString(),
    });
    expect(list[1]).toMatchObject({ report: null, lastDeliveryAt: new Date(5_000).toISOString() });
  });
});

function delivery(id: string, installationId: number, receivedAt: number) {
  return {
    id,
    event: 'push',
    action: null,
    installationId,
    repository: null,
    payload: Buffer.from('{}'),
    status: 'ignored' as const,
    receivedAt,
  };
}

describe('PUT /api/installations/:id/services', () => {
  it('switches services and keeps the others', async () => {
    const { status, body } = await json(put('/api/installations/101/services', { ci: false }));
    expect(status).toBe(200);
    expect(body.services).toMatchObject({ ci: false, 'pr-checks': true });
    expect(await auditActions(101)).toEqual([{ action: 'integration.services', actor: 'api' }]);
  });

  it('refuses an unknown service whole, with the list of services', async () => {
    const { status, body } = await json(put('/api/installations/101/services', { ci: false, deploys: true }));
    expect(status).toBe(400);
    expect(body).toMatchObject({
      error: '"deploys" is not a Keel service.',
      remedy: expect.stringContaining('pr-checks'),
    });
    expect((await json(keel.api('/api/installations/101'))).body.services).toMatchObject({ ci: true });
  });
});

describe('PUT /api/installations/:id/exclusions', () => {
  it('replaces the rules, and the preview lists what they match', async () => {
    const { body } = await json(put('/api/installations/101/exclusions', { rules: ['legacy-*'] }));
    expect(body.exclusions).toEqual(['legacy-*']);
    const preview = await json(
      keel.api('/api/installations/101/exclusions/preview', {
        method: 'POST',
        body: JSON.stringify({ rules: ['legacy-*', 'web'] }),
      }),
    );
    expect(preview.body).toEqual({
      rules: ['legacy-*', 'web'],
      excluded: [
        { repository: 'acme/legacy-billing', rule: 'legacy-*' },
        { repository: 'acme/web', rule: 'web' },
      ],
      included: ['acme/api'],
    });
  });

  it('refuses a rule with an owner in it, saying how to write it', async () => {
    const { status, body } = await json(put('/api/installations/101/exclusions', { rules: ['acme/legacy-*'] }));
    expect(status).toBe(400);
    expect(body.remedy).toContain('write "api-*", not "acme/api-*"');
  });
});

describe('POST /api/installations/:id/refresh', () => {
  it('reads the repositories again with a metadata-only token and stores what GitHub lists', async () => {
    githubApi()
      .post(
        '/app/installations/101/access_tokens',
        (body: { permissions?: object }) => JSON.stringify(body.permissions) === JSON.stringify({ metadata: 'read' }),
      )
      .reply(201, { ...accessToken, permissions: { metadata: 'read' } })
      .get('/installation/repositories')
      .query({ per_page: 100 })
      .reply(200, {
        total_count: 2,
        repositories: [
          { id: 101000, name: 'api', full_name: 'acme/api', private: true },
          { id: 5, name: 'new', full_name: 'acme/new', private: false },
        ],
      });
    const { status, body } = await json(keel.api('/api/installations/101/refresh', { method: 'POST' }));
    expect(status).toBe(200);
    expect(body.refresh).toEqual({ count: 2, added: ['acme/new'], removed: ['acme/legacy-billing', 'acme/web'] });
    expect(body.repositories).toMatchObject({ count: 2, list: [{ fullName: 'acme/api' }, { fullName: 'acme/new' }] });
    expect(await auditActions(101)).toEqual([{ action: 'integration.refresh', actor: 'api' }]);
  });
});

describe('POST /api/installations/:id/test and update', () => {
  it('test verifies now and answers with the checks, even when GitHub cannot be reached', async () => {
    githubApi().get('/app').replyWithError({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' });
    const { status, body } = await json(keel.api('/api/installations/101/test', { method: 'POST' }));
    expect(status).toBe(200);
    expect(body.state).toBe('unreachable');
    expect(await auditActions(101)).toEqual([{ action: 'integration.test', actor: 'api' }]);
  });

  it('update refreshes the repositories, verifies, and asks for missed deliveries', async () => {
    const scope = githubApi()
      .post('/app/installations/101/access_tokens')
      .reply(201, accessToken)
      .get('/installation/repositories')
      .query({ per_page: 100 })
      .reply(200, { total_count: 0, repositories: [] });
    mockVerification({ installationId: 101, account: { login: 'acme', type: 'Organization', id: 1010 } }, scope);
    scope.get('/app/hook/deliveries').query({ per_page: 100 }).reply(200, []);
    const { status, body } = await json(keel.api('/api/installations/101/update', { method: 'POST' }));
    expect(status).toBe(200);
    expect(body).toMatchObject({ state: 'connected', redelivered: 0, refresh: { count: 0 } });
    expect((await auditActions(101)).map((entry) => entry.action)).toEqual(['integration.update']);
  });

  it('update asks again only for the missed deliveries of this integration, not of the others', async () => {
    const deliveredAt = new Date().toISOString();
    const missed = (id: number, installationId: number) => ({
      id,
      guid: `guid-${id}`,
      delivered_at: deliveredAt,
      redelivery: false,
      duration: 10,
      status: 'Invalid HTTP Response: 503',
      status_code: 503,
      event: 'push',
      action: null,
      installation_id: installationId,
      repository_id: null,
    });
    const scope = githubApi()
      .post('/app/installations/101/access_tokens')
      .reply(201, accessToken)
      .get('/installation/repositories')
      .query({ per_page: 100 })
      .reply(200, { total_count: 0, repositories: [] });
    mockVerification({ installationId: 101, account: { login: 'acme', type: 'Organization', id: 1010 } }, scope);
    scope
      .get('/app/hook/deliveries')
      .query({ per_page: 100 })
      .reply(200, [missed(9001, 101), missed(9002, 102), missed(9003, 101)])
      .post('/app/hook/deliveries/9001/attempts')
      .reply(202, {})
      .post('/app/hook/deliveries/9003/attempts')
      .reply(202, {});
    const { status, body } = await json(keel.api('/api/installations/101/update', { method: 'POST' }));
    expect(status).toBe(200);
    expect(body).toMatchObject({ redelivered: 2 });
    const asked = await keel.keel.store.db.selectFrom('redeliveries').select('guid').orderBy('guid').execute();
    expect(asked.map((row) => row.guid)).toEqual(['guid-9001', 'guid-9003']);
  });
});

describe('a delivery’s JSON', () => {
  it('has one shape in /api/deliveries, an integration’s deliveries and a retry', async () => {
    const receivedAt = Date.parse('2026-11-30T10:00:00Z');
    await insertDeliveries(keel.keel.store, [
      {
        id: 'broken-push',
        event: 'push',
        action: null,
        installationId: 101,
        repository: 'acme/api',
        payload: Buffer.from('{}'),
        status: 'queued',
        receivedAt,
      },
    ]);
    await keel.keel.store.db
      .updateTable('deliveries')
      .set({ status: 'dead', attempts: 5, error: 'Error: the handler broke', processed_at: receivedAt + 250 })
      .where('id', '=', 'broken-push')
      .execute();
    const expected = {
      id: 'broken-push',
      event: 'push',
      action: null,
      status: 'dead',
      attempts: 5,
      error: 'Error: the handler broke',
      installationId: 101,
      repository: 'acme/api',
      receivedAt: '2026-11-30T10:00:00.000Z',
      nextAttemptAt: null,
      processedAt: '2026-11-30T10:00:00.250Z',
      durationMs: 250,
    };
    const [listed] = (await (await keel.api('/api/deliveries')).json()) as unknown[];
    const one = await (await keel.api('/api/deliveries/broken-push')).json();
    const { body: page } = await json(keel.api('/api/installations/101/deliveries'));
    expect(listed).toEqual(expected);
    expect(one).toEqual(expected);
    expect((page.items as unknown[])[0]).toEqual(expected);
    const retried = await (await keel.api('/api/deliveries/broken-push/retry', { method: 'POST' })).json();
    expect(Object.keys(retried as object).sort()).toEqual(Object.keys(expected).sort());
    expect(retried).toMatchObject({ id: 'broken-push', status: 'queued', attempts: 0 });
  });
});

describe('the pull request verification over the API', () => {
  it('refuses a repository that is not the integration’s, and answers 404 for an unknown run', async () => {
    const refused = await json(
      keel.api('/api/installations/101/write-checks', {
        method: 'POST',
        body: JSON.stringify({ repository: 'globex/portal' }),
      }),
    );
    expect(refused).toEqual({
      status: 400,
      body: {
        error: 'globex/portal is not a repository of this integration.',
        remedy: 'Pick one of its repositories; refresh them first if it is new.',
      },
    });
    expect((await keel.api('/api/installations/101/write-checks/no-such-run')).status).toBe(404);
  });
});

describe('DELETE /api/installations/:id', () => {
  it('refuses without the account login as confirmation', async () => {
    const { status, body } = await json(
      keel.api('/api/installations/101', { method: 'DELETE', body: '{"confirm":"globex"}' }),
    );
    expect(status).toBe(400);
    expect(body.remedy).toBe('Type the account login, acme, to confirm.');
    expect((await keel.api('/api/installations/101')).status).toBe(200);
  });

  it('removes every row stored for it, keeping one audit row of who deleted it', async () => {
    await put('/api/installations/101/services', { ci: false });
    const { status } = await json(keel.api('/api/installations/101', { method: 'DELETE', body: '{"confirm":"acme"}' }));
    expect(status).toBe(200);
    expect((await keel.api('/api/installations/101')).status).toBe(404);
    expect(await keel.keel.store.db.selectFrom('integrations').select('id').execute()).toEqual([{ id: '102' }]);
    expect(await keel.keel.store.db.selectFrom('repositories').select('installation_id').distinct().execute()).toEqual([
      { installation_id: 102 },
    ]);
    expect(await auditActions(101)).toEqual([{ action: 'installation.deleted', actor: 'api' }]);
  });

  it('answers 404 for an installation Keel does not know', async () => {
    expect((await keel.api('/api/installations/999', { method: 'DELETE', body: '{"confirm":"x"}' })).status).toBe(404);
  });
});

describe('the API with a console session', () => {
  it('lists only the integrations of accounts the user belongs to', async () => {
    const mona = await signInMona('member');
    const list = (await (await asSession(mona, '/api/installations')).json()) as { id: number }[];
    expect(list.map((installation) => installation.id)).toEqual([101]);
  });

  it('answers 404 on every URL of an integration of another account', async () => {
    const mona = await signInMona('admin');
    const requests: [string, string, unknown?][] = [
      ['GET', '/api/installations/102'],
      ['POST', '/api/installations/102/verify', {}],
      ['POST', '/api/installations/102/test'],
      ['POST', '/api/installations/102/refresh'],
      ['POST', '/api/installations/102/update'],
      ['PUT', '/api/installations/102/services', { ci: false }],
      ['PUT', '/api/installations/102/exclusions', { rules: ['x'] }],
      ['POST', '/api/installations/102/exclusions/preview', { rules: ['x'] }],
      ['PUT', '/api/installations/102/name', { name: 'mine' }],
      ['GET', '/api/installations/102/roles'],
      ['PUT', '/api/installations/102/roles', { login: 'mona', role: 'delete' }],
      ['GET', '/api/installations/102/deliveries'],
      ['GET', '/api/installations/102/audit'],
      ['POST', '/api/installations/102/write-checks', { repository: 'globex/portal' }],
      ['GET', '/api/installations/102/write-checks'],
      ['GET', '/api/installations/102/write-checks/globex-run'],
      ['POST', '/api/installations/102/uninstall'],
      ['DELETE', '/api/installations/102', { confirm: 'globex' }],
    ];
    for (const [method, path, body] of requests) {
      const response = await asSession(mona, path, { method, ...(body ? { body: JSON.stringify(body) } : {}) });
      expect({ method, path, status: response.status }).toEqual({ method, path, status: 404 });
    }
    expect((await keel.api('/api/installations/102')).status).toBe(200);
  });

  it('lets a member follow pull request verifications but not start one (403)', async () => {
    const mona = await signInMona('member');
    expect((await json(asSession(mona, '/api/installations/101/write-checks'))).status).toBe(200);
    const started = await json(
      asSession(mona, '/api/installations/101/write-checks', {
        method: 'POST',
        body: JSON.stringify({ repository: 'acme/api' }),
      }),
    );
    expect(started).toEqual({
      status: 403,
      body: {
        error: 'This needs the manage role on 101; you have view.',
        remedy: 'Ask an owner of the organization to grant it.',
      },
    });
    expect(await keel.keel.store.db.selectFrom('write_checks').select('id').execute()).toEqual([]);
  });

  it('lets a member view but not change, with 403', async () => {
    const mona = await signInMona('member');
    expect((await asSession(mona, '/api/installations/101')).status).toBe(200);
    const response = await asSession(mona, '/api/installations/101/services', { method: 'PUT', body: '{"ci":false}' });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: string }).error).toBe(
      'This needs the manage role on 101; you have view.',
    );
  });

  it('lets an owner change services, recorded under their login', async () => {
    const mona = await signInMona('admin');
    const response = await asSession(mona, '/api/installations/101/services', { method: 'PUT', body: '{"ci":false}' });
    expect(response.status).toBe(200);
    expect(await auditActions(101)).toEqual([{ action: 'integration.services', actor: 'mona' }]);
  });

  it('refuses a write without the CSRF header, with 403', async () => {
    const mona = await signIn(keel, { id: 7, login: 'mona' });
    const response = await asSession(
      mona,
      '/api/installations/101/services',
      { method: 'PUT', body: '{"ci":false}' },
      false,
    );
    expect(response.status).toBe(403);
    expect((await json(keel.api('/api/installations/101'))).body.services).toMatchObject({ ci: true });
  });

  it('lets an owner grant a named member more, and only an owner', async () => {
    const mona = await signInMona('admin');
    const granted = await asSession(mona, '/api/installations/101/roles', {
      method: 'PUT',
      body: JSON.stringify({ login: 'hubot', role: 'manage' }),
    });
    expect(await granted.json()).toEqual([
      { login: 'hubot', role: 'manage', grantedBy: 'mona', grantedAt: expect.any(String) },
    ]);
    expect(await auditActions(101)).toEqual([{ action: 'integration.role-granted', actor: 'mona' }]);
  });

  it('lists only the deliveries of the user’s integrations', async () => {
    await insertDeliveries(
      keel.keel.store,
      [101, 102].map((installationId) => ({
        id: `delivery-${installationId}`,
        event: 'push',
        action: null,
        installationId,
        repository: null,
        payload: Buffer.from('{}'),
        status: 'ignored' as const,
        receivedAt: Date.now(),
      })),
    );
    const mona = await signInMona('member');
    const listed = (await (await asSession(mona, '/api/deliveries')).json()) as { id: string }[];
    expect(listed.map((delivery) => delivery.id)).toEqual(['delivery-101']);
    expect((await asSession(mona, '/api/deliveries/delivery-102')).status).toBe(404);
  });

  it('fills a page with the user’s deliveries even when newer ones belong to accounts they may not see', async () => {
    const receivedAt = Date.now();
    const delivery = (id: string, installationId: number, at: number) => ({
      id,
      event: 'push',
      action: null,
      installationId,
      repository: null,
      payload: Buffer.from('{}'),
      status: 'ignored' as const,
      receivedAt: at,
    });
    await insertDeliveries(keel.keel.store, [
      delivery('acme-old', 101, receivedAt),
      delivery('acme-new', 101, receivedAt + 1),
      ...Array.from({ length: 5 }, (_, index) => delivery(`globex-${index}`, 102, receivedAt + 2 + index)),
    ]);
    const mona = await signInMona('member');
    const listed = (await (await asSession(mona, '/api/deliveries?limit=2')).json()) as { id: string }[];
    expect(listed.map((entry) => entry.id)).toEqual(['acme-new', 'acme-old']);
  });

  it('keeps operator endpoints for the admin token', async () => {
    const mona = await signIn(keel, { id: 7, login: 'mona' });
    expect((await asSession(mona, '/api/redeliveries')).status).toBe(403);
  });
});
