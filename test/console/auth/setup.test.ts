import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { confirmSetup, SetupError } from '../../../src/console/setup.js';
import { githubApi, useGitHubMock } from '../../helpers/github-mock.js';
import { startKeel, type TestKeel } from '../../helpers/keel.js';
import { installationBody, mockVerification } from '../../connection/mock-verification.js';
import { SIGN_IN_ENV, signIn, signInRoutes, type SignedIn } from './sign-in.js';

useGitHubMock();

const ACME = { login: 'acme', type: 'Organization', id: 1010 };

let keel: TestKeel;
let mona: SignedIn;
beforeEach(async () => {
  keel = await startKeel({ env: SIGN_IN_ENV, plugins: [signInRoutes()] });
  mona = await signIn(keel, { id: 7, login: 'mona' }, 'ghu_mona');
});
afterEach(() => keel.stop());

function userInstallations(installations: object[]) {
  githubApi()
    .get('/user/installations')
    .query({ per_page: 100, page: 1 })
    .matchHeader('authorization', 'Bearer ghu_mona')
    .reply(200, { total_count: installations.length, installations });
}

describe('confirmSetup (the app’s setup URL)', () => {
  it('stores an installation GitHub lists for the user, as added by them, and verifies it right away', async () => {
    userInstallations([installationBody({ installationId: 101, account: ACME })]);
    mockVerification({ installationId: 101, account: ACME });
    const outcome = await confirmSetup(keel.keel, mona.user, { installationId: '101', setupAction: 'install' });
    expect(outcome).toEqual({ kind: 'installed', integrationId: '101', state: 'connected', verified: true });
    const installation = (await (await keel.api('/api/installations/101')).json()) as Record<string, unknown>;
    expect(installation).toMatchObject({
      account: { login: 'acme' },
      addedBy: 'mona',
      installedBy: 'mona',
      state: 'connected',
    });
    const audit = await keel.keel.store.db
      .selectFrom('audit')
      .select(['action', 'actor'])
      .where('installation_id', '=', 101)
      .orderBy('id')
      .execute();
    expect(audit).toEqual([
      { action: 'integration.added', actor: 'mona' },
      { action: 'integration.test', actor: 'mona' },
    ]);
  });

  it('never trusts the query: an installation the user cannot see is refused and nothing is stored', async () => {
    userInstallations([installationBody({ installationId: 555, account: ACME })]);
    const refused = confirmSetup(keel.keel, mona.user, { installationId: '101', setupAction: 'install' });
    await expect(refused).rejects.toBeInstanceOf(SetupError);
    await expect(refused).rejects.toMatchObject({
      status: 404,
      message: 'GitHub does not list installation 101 for mona.',
    });
    expect(await keel.keel.store.db.selectFrom('installations').select('id').execute()).toEqual([]);
    expect(await keel.keel.store.db.selectFrom('integrations').select('id').execute()).toEqual([]);
  });

  it('shows a request to an owner as pending approval, storing no installation', async () => {
    const outcome = await confirmSetup(keel.keel, mona.user, {
      installationId: '',
      setupAction: 'request',
      org: 'acme',
    });
    expect(outcome).toEqual({ kind: 'pending-approval', org: 'acme' });
    expect(await keel.keel.store.db.selectFrom('installations').select('id').execute()).toEqual([]);
  });
});
