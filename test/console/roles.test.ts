import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MEMBERSHIP_CONCURRENCY, roleAllows, rolesFor } from '../../src/console/roles.js';
import { createIntegrationActions } from '../../src/integrations/actions.js';
import { githubApi, useGitHubMock } from '../helpers/github-mock.js';
import { startKeel, type TestKeel } from '../helpers/keel.js';
import { seedInstallation } from '../integrations/seed.js';
import { SIGN_IN_ENV, signIn, signInRoutes } from './auth/sign-in.js';

useGitHubMock();

let keel: TestKeel;
beforeEach(async () => {
  keel = await startKeel({ env: SIGN_IN_ENV, plugins: [signInRoutes()] });
  await seedInstallation(keel.keel.store, { id: 101, login: 'acme' });
  await seedInstallation(keel.keel.store, { id: 102, login: 'globex' });
  await seedInstallation(keel.keel.store, { id: 103, login: 'octocat', type: 'User', accountId: 1 });
});
afterEach(() => keel.stop());

function membership(org: string, token: string, reply: [number, object]) {
  githubApi()
    .get(`/user/memberships/orgs/${org}`)
    .matchHeader('authorization', `Bearer ${token}`)
    .reply(...reply);
}

describe('rolesFor', () => {
  it('gives owners of the organization delete, and the user their own account; other accounts are absent', async () => {
    const { user } = await signIn(keel, { id: 1, login: 'octocat' }, 'ghu_octo');
    membership('acme', 'ghu_octo', [200, { state: 'active', role: 'admin' }]);
    membership('globex', 'ghu_octo', [404, { message: 'Not Found' }]);
    expect(Object.fromEntries(await rolesFor(keel.keel, user))).toEqual({ '101': 'delete', '103': 'delete' });
  });

  it('gives other members view, and nothing for a pending invitation', async () => {
    const { user } = await signIn(keel, { id: 7, login: 'mona' }, 'ghu_mona');
    membership('acme', 'ghu_mona', [200, { state: 'active', role: 'member' }]);
    membership('globex', 'ghu_mona', [200, { state: 'pending', role: 'member' }]);
    expect(Object.fromEntries(await rolesFor(keel.keel, user))).toEqual({ '101': 'view' });
  });

  it('raises a member to the role a delete-level user granted, but opens no account to a non-member', async () => {
    const actions = createIntegrationActions(keel.keel);
    await actions.grantRole('101', 'Mona', 'manage', 'octocat');
    await actions.grantRole('102', 'mona', 'delete', 'someone');
    const { user } = await signIn(keel, { id: 7, login: 'mona' }, 'ghu_mona');
    membership('acme', 'ghu_mona', [200, { state: 'active', role: 'member' }]);
    membership('globex', 'ghu_mona', [404, { message: 'Not Found' }]);
    expect(Object.fromEntries(await rolesFor(keel.keel, user))).toEqual({ '101': 'manage' });
  });

  it('asks GitHub once per session for a few minutes', async () => {
    const { user } = await signIn(keel, { id: 7, login: 'mona' }, 'ghu_mona');
    membership('acme', 'ghu_mona', [200, { state: 'active', role: 'member' }]);
    membership('globex', 'ghu_mona', [404, { message: 'Not Found' }]);
    await rolesFor(keel.keel, user);
    expect(Object.fromEntries(await rolesFor(keel.keel, user))).toEqual({ '101': 'view' });
  });
});

describe('rolesFor, for a user in many organizations', () => {
  it(`asks GitHub about at most ${MEMBERSHIP_CONCURRENCY} memberships at a time, and still answers every one`, async () => {
    const orgs = Array.from({ length: 40 }, (_, index) => `org-${index}`);
    for (const [index, login] of orgs.entries()) {
      await seedInstallation(keel.keel.store, { id: 200 + index, login });
    }
    const { user } = await signIn(keel, { id: 7, login: 'mona' }, 'ghu_mona');
    let inFlight = 0;
    let peak = 0;
    const answered: string[] = [];
    membership('acme', 'ghu_mona', [404, { message: 'Not Found' }]);
    membership('globex', 'ghu_mona', [404, { message: 'Not Found' }]);
    githubApi()
      .get(/^\/user\/memberships\/orgs\/org-\d+$/)
      .times(orgs.length)
      .reply(async (uri) => {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        // Hold each answer a little, so calls that could overlap do overlap.
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight -= 1;
        answered.push(uri.split('/').pop() ?? '');
        return [200, { state: 'active', role: 'member' }];
      });
    const roles = await rolesFor(keel.keel, user);
    expect(answered.sort()).toEqual([...orgs].sort());
    expect(peak).toBe(MEMBERSHIP_CONCURRENCY);
    expect([...roles.keys()].sort()).toEqual(orgs.map((_, index) => String(200 + index)).sort());
  });
});

describe('roleAllows', () => {
  it('nests the levels: delete includes manage, manage includes view', () => {
    expect(roleAllows('delete', 'manage')).toBe(true);
    expect(roleAllows('manage', 'view')).toBe(true);
    expect(roleAllows('view', 'manage')).toBe(false);
    expect(roleAllows('manage', 'delete')).toBe(false);
  });
});
