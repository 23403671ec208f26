import { describe, expect, it } from 'vitest';
import { useGitHubMock, githubApi } from '../helpers/github-mock.js';
import { startKeel } from '../helpers/keel.js';
import { createPostgresDatabase } from '../helpers/store.js';
import { SIGN_IN_ENV, signIn, signInRoutes } from '../console/auth/sign-in.js';
import { seedInstallation } from './seed.js';

useGitHubMock();

describe.skipIf(!process.env.TEST_DATABASE_URL)('the console core on Postgres', () => {
  it('signs in, grants, switches services and deletes an integration', async () => {
    const database = await createPostgresDatabase(process.env.TEST_DATABASE_URL ?? '');
    const keel = await startKeel({
      env: { ...SIGN_IN_ENV, DATABASE_URL: database.databaseUrl },
      plugins: [signInRoutes()],
    });
    try {
      await seedInstallation(keel.keel.store, { id: 101, login: 'acme', repositories: ['api'] });
      const mona = await signIn(keel, { id: 7, login: 'mona' }, 'ghu_mona');
      githubApi().get('/user/memberships/orgs/acme').reply(200, { state: 'active', role: 'admin' });
      const headers = { cookie: mona.cookie, 'x-csrf-token': mona.csrf, 'content-type': 'application/json' };
      const call = (path: string, method: string, body: unknown) =>
        fetch(`${keel.url}${path}`, { method, headers, body: JSON.stringify(body) });
      expect((await call('/api/installations/101/roles', 'PUT', { login: 'hubot', role: 'manage' })).status).toBe(200);
      const services = await call('/api/installations/101/services', 'PUT', { ci: false });
      expect(((await services.json()) as { services: object }).services).toMatchObject({ ci: false });
      expect((await call('/api/installations/101', 'DELETE', { confirm: 'acme' })).status).toBe(200);
      const { db } = keel.keel.store;
      expect(await db.selectFrom('role_grants').selectAll().execute()).toEqual([]);
      expect(
        await db.selectFrom('audit').select(['action', 'actor']).where('installation_id', '=', 101).execute(),
      ).toEqual([{ action: 'installation.deleted', actor: 'mona' }]);
    } finally {
      await keel.stop();
      await database.drop();
    }
  });
});
