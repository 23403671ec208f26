/**
 * The console's pages and form posts on a real Keel: every page for each role, the cross-account
 * attempt (404), a role too low (403), and CSRF refusals. GitHub's side of sign-in and of the
 * role lookups is mocked with nock.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { consolePlugin } from '../../src/console/plugin.js';
import { githubApi, useGitHubMock } from '../helpers/github-mock.js';
import { startKeel, type TestKeel } from '../helpers/keel.js';
import { mockVerification } from '../connection/mock-verification.js';
import { insertDelivery } from '../../src/inbox/deliveries.js';
import { seedDelivery, seedIntegration, signIn, type ConsoleClient } from './pages/console-fixtures.js';

useGitHubMock();

let keel: TestKeel;
const ORGS = ['acme', 'globex'];

beforeAll(async () => {
  keel = await startKeel({
    plugins: [consolePlugin()],
    env: { GITHUB_CLIENT_ID: 'Iv1.console', GITHUB_CLIENT_SECRET: 'console-client-secret-0123456789' },
  });
});
afterAll(() => keel.stop());

beforeEach(async () => {
  const { db } = keel.keel.store;
  for (const table of [
    'deliveries',
    'audit',
    'reports',
    'repositories',
    'role_grants',
    'integrations',
    'installations',
  ] as const) {
    await db.deleteFrom(table).execute();
  }
  await seedIntegration(keel.keel.store, {
    id: 42,
    login: 'acme',
    repositories: ['acme/api', 'acme/legacy-web', 'acme/site'],
    state: 'degraded',
    permissions: { metadata: 'read', pull_requests: 'read', contents: 'read', statuses: 'write', actions: 'read' },
    checks: [
      {
        name: 'permissions',
        status: 'fail',
        finding: 'workflows: write is missing.',
        remedy: 'An owner accepts the permission on the installation settings page.',
      },
    ],
  });
  await seedIntegration(keel.keel.store, { id: 77, login: 'globex' });
});

const owner = () => signIn(keel, { id: 1, login: 'octocat', memberships: { acme: 'admin' }, orgs: ORGS });
const member = () => signIn(keel, { id: 2, login: 'hubot', memberships: { acme: 'member' }, orgs: ORGS });

async function page(client: ConsoleClient, path: string): Promise<string> {
  const response = await client.get(path);
  expect(response.status).toBe(200);
  return response.text();
}

describe('signing in', () => {
  it('sends a visitor without a session to sign in, keeping the page asked for', async () => {
    const response = await fetch(`${keel.url}/console/integrations/42`, { redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/login?next=%2Fconsole%2Fintegrations%2F42');
  });
});

describe('the setup URL', () => {
  it('shows a member who requested the app that an owner must approve it', async () => {
    const html = await page(await member(), '/setup?setup_action=request&org=acme');
    expect(html).toContain('Waiting for an owner of acme to approve the installation.');
  });

  it('refuses an installation GitHub does not list for the signed-in user, storing nothing', async () => {
    const client = await owner();
    githubApi()
      .get('/user/installations')
      .query({ per_page: 100, page: 1 })
      .reply(200, { total_count: 0, installations: [] });
    const response = await client.get('/setup?installation_id=999&setup_action=install');
    expect(response.status).toBe(404);
    expect(await response.text()).toContain('GitHub does not list installation 999 for octocat.');
    const stored = await keel.keel.store.db.selectFrom('installations').select('id').where('id', '=', 999).execute();
    expect(stored).toEqual([]);
  });
});

describe('when GitHub does not answer', () => {
  it("says so on a page instead of failing, when the user's roles cannot be read", async () => {
    const client = await signIn(keel, { id: 3, login: 'mona', memberships: { acme: 'unreachable' }, orgs: ORGS });
    githubApi().get('/user/memberships/orgs/acme').reply(502, { message: 'Bad Gateway' });
    githubApi().get('/user/memberships/orgs/globex').reply(404, {});
    const response = await client.get('/console');
    expect(response.status).toBe(502);
    expect(await response.text()).toContain('GitHub did not answer');
  });
});

describe('the integrations page', () => {
  it("lists only the integrations of the user's own accounts", async () => {
    const html = await page(await owner(), '/console');
    expect(html).toContain('<a href="/console/integrations/42">acme</a>');
    expect(html).not.toContain('globex');
    expect(html).toContain('<span class="Label Label--attention">Degraded</span>');
  });

  it('shows what a verification just stored: last verified, and rate limited when the quota ran low', async () => {
    const client = await owner();
    mockVerification({
      installationId: 42,
      account: { login: 'acme', type: 'Organization', id: 420 },
      coreQuota: { remaining: 120, limit: 5000 },
    });
    await client.post('/console/integrations/42/test');
    const stored = await keel.keel.store.db
      .selectFrom('reports')
      .select('at')
      .where('installation_id', '=', 42)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    const html = await page(client, '/console?sort=verified&dir=desc');
    const row = /<tr><th scope="row"><a href="\/console\/integrations\/42">.*?<\/tr>/s.exec(html)?.[0] ?? '';
    expect(row).toContain('<span class="Label Label--attention">Rate limited</span>');
    expect(row).toContain(`datetime="${new Date(Number(stored.at)).toISOString()}"`);
  });

  it('is served with a CSP that allows no inline script, and its assets with a year of caching', async () => {
    const response = await (await owner()).get('/console');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    const stylesheet = /<link rel="stylesheet" href="([^"]+primer[^"]+)"/.exec(await response.text())?.[1];
    const css = await fetch(`${keel.url}${stylesheet}`, { headers: { 'accept-encoding': 'gzip' } });
    expect(css.status).toBe(200);
    expect(css.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(css.headers.get('content-type')).toContain('text/css');
    expect((await css.text()).slice(0, 40)).toContain('Primer CSS');
  });

  it("sends Add integration to the app's installation page on GitHub", async () => {
    const client = await owner();
    githubApi().get('/app').reply(200, { id: 4242, slug: 'keel-test' });
    const response = await client.get('/console/add/github');
    expect(response.headers.get('location')).toBe('https://github.com/apps/keel-test/installations/new');
  });
});

describe('an integration page', () => {
  it('shows the failing check with its remedy and the missing permission with what it switches off', async () => {
    const html = await page(await owner(), '/console/integrations/42');
    expect(html).toContain('<span class="Label Label--danger">Failed</span><strong class="ml-2">permissions</strong>');
    expect(html).toContain('Fix: An owner accepts the permission on the installation settings page.');
    expect(html).toMatch(
      /<code>workflows<\/code><\/th><td>write<\/td><td>none<\/td><td><span class="Label Label--danger">Missing<\/span><\/td><td>Off without it: Workflow repair<\/td>/,
    );
    expect(html).toContain('href="https://github.com/organizations/acme/settings/installations/42"');
  });

  it('answers 404 for an integration of another account, as for one that does not exist', async () => {
    const client = await owner();
    expect((await client.get('/console/integrations/77')).status).toBe(404);
    expect((await client.get('/console/integrations/999')).status).toBe(404);
    const post = await client.post('/console/integrations/77/services', { ci: 'on' });
    expect(post.status).toBe(404);
    expect((await client.get('/console/deliveries?integration=77')).status).toBe(404);
  });

  it('shows a member the page without any action, and refuses their posts with 403', async () => {
    const client = await member();
    const html = await page(client, '/console/integrations/42');
    expect(html).not.toContain('/console/integrations/42/test');
    expect(html).not.toContain('/console/integrations/42/delete');
    const response = await client.post('/console/integrations/42/services', { 'pr-checks': 'on' });
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('view and manage');
  });

  it('refuses a post without the CSRF token with 403 and changes nothing', async () => {
    const client = await owner();
    const response = await client.post('/console/integrations/42/services', {}, { csrf: false });
    expect(response.status).toBe(403);
    expect((await keel.keel.integrations.settings(42)).services['pr-checks']).toBe(true);
  });
});

describe('form posts', () => {
  it('switches a service off, redirects back with a message, and the gate sees it', async () => {
    const client = await owner();
    const response = await client.post('/console/integrations/42/services', {
      'pr-checks': 'on',
      repair: 'on',
      commands: 'on',
    });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/console/integrations/42');
    const html = await page(client, '/console/integrations/42');
    expect(html).toContain('Services saved: pr-checks, repair, commands on.');
    expect(html).toContain('<input type="checkbox" name="ci" value="on" aria-describedby="svc-ci"/>');
    expect(await keel.keel.integrations.decide({ installationId: 42, service: 'ci' })).toEqual({
      allowed: false,
      reason: 'service-off',
    });
  });

  it('previews what exclusion rules match before saving them', async () => {
    const client = await owner();
    const preview = await page(client, '/console/integrations/42?exclude=legacy-*');
    expect(preview).toContain('1 repository would be excluded:<ul class="ml-3"><li>acme/legacy-web</li></ul>');
    expect(await keel.keel.integrations.settings(42)).toMatchObject({ exclusions: [] });
    const saved = await client.post('/console/integrations/42/exclusions', { rules: 'legacy-*' });
    expect(saved.status).toBe(303);
    keel.keel.integrations.forget(42);
    expect(
      await keel.keel.integrations.decide({ installationId: 42, service: 'pr-checks', repository: 'acme/legacy-web' }),
    ).toEqual({ allowed: false, reason: 'excluded', rule: 'legacy-*' });
  });

  it('shows an invalid rule in the preview with its remedy', async () => {
    const html = await page(await owner(), `/console/integrations/42?exclude=${encodeURIComponent('acme/api')}`);
    expect(html).toContain('Rules match the repository name without its owner');
  });

  it('lets an owner grant a member the manage level', async () => {
    const client = await owner();
    expect((await client.post('/console/integrations/42/roles', { login: 'hubot', role: 'manage' })).status).toBe(303);
    // The grant takes effect without asking GitHub about memberships again.
    expect(await page(client, '/console/integrations/42')).toContain('hubot now holds the manage level.');
    const promoted = await member();
    expect((await promoted.post('/console/integrations/42/rename', { name: 'Acme production' })).status).toBe(303);
    expect(await page(promoted, '/console')).toContain('>Acme production</a>');
  });

  it('tests the connection and says Connected', async () => {
    const client = await owner();
    mockVerification({
      installationId: 42,
      account: { login: 'acme', type: 'Organization', id: 420 },
      permissions: {
        metadata: 'read',
        pull_requests: 'write',
        contents: 'write',
        statuses: 'write',
        actions: 'read',
        issues: 'write',
        workflows: 'write',
        discussions: 'write',
      },
    });
    const response = await client.post('/console/integrations/42/test');
    expect(response.status).toBe(303);
    const html = await page(client, '/console/integrations/42');
    expect(html).toContain('Connected: every check passed.');
    expect(html).toContain('<span class="Label Label--success">Connected</span>');
  });

  it('shows the permission update waiting for an owner, with where to accept it, from the stored report', async () => {
    const client = await owner();
    mockVerification({
      installationId: 42,
      account: { login: 'acme', type: 'Organization', id: 420 },
      // The app asks for workflows: write and discussions: write; the installation accepted neither.
      permissions: {
        metadata: 'read',
        pull_requests: 'write',
        contents: 'write',
        statuses: 'write',
        actions: 'read',
        issues: 'write',
      },
    });
    await client.post('/console/integrations/42/test');
    const html = await page(client, '/console/integrations/42');
    const block = /<section aria-labelledby="pending-update-heading".*?<\/section>/s.exec(html)?.[0] ?? '';
    expect(block).toContain('Pending permission update');
    expect(block).toContain('<code>discussions</code>: write (for /keel commands)');
    expect(block).toContain('<code>workflows</code>: write (for Workflow repair)');
    expect(block).toContain(
      '<a class="btn btn-primary" href="https://github.com/organizations/acme/settings/installations/42">Review and accept on GitHub</a>',
    );
    const json = (await (await keel.api('/api/installations/42')).json()) as { pendingUpdate: unknown };
    expect(json.pendingUpdate).toEqual({
      permissions: [
        { permission: 'discussions', level: 'write' },
        { permission: 'workflows', level: 'write' },
      ],
      events: [],
      acceptUrl: 'https://github.com/organizations/acme/settings/installations/42',
    });
  });

  it('shows no pending update block when the installation accepted everything the app asks for', async () => {
    const html = await page(await owner(), '/console/integrations/42');
    expect(html).not.toContain('Pending permission update');
    expect(((await (await keel.api('/api/installations/42')).json()) as { pendingUpdate: unknown }).pendingUpdate).toBe(
      null,
    );
  });

  it('opens the verification pull request only in a repository of the integration', async () => {
    const client = await owner();
    await client.post('/console/integrations/42/test', { repository: 'globex/api' });
    expect(await page(client, '/console/integrations/42')).toContain(
      'globex/api is not a repository of this integration.',
    );
  });

  it('tests every integration the owner may delete with Test all', async () => {
    const client = await owner();
    mockVerification({ installationId: 42, account: { login: 'acme', type: 'Organization', id: 420 } });
    const response = await client.post('/console/bulk/test');
    expect(response.headers.get('location')).toBe('/console');
    expect(await page(client, '/console')).toContain('Tested 1 integration.');
    expect((await (await member()).post('/console/bulk/test')).status).toBe(403);
  });

  it('deletes an integration only when the account name is typed', async () => {
    const client = await owner();
    await client.post('/console/integrations/42/delete', { confirm: 'acm' });
    expect(await page(client, '/console/integrations/42')).toContain('is not the account login');
    const deleted = await client.post('/console/integrations/42/delete', { confirm: 'acme' });
    expect(deleted.headers.get('location')).toBe('/console');
    githubApi().get('/user/memberships/orgs/globex').reply(404, {});
    expect(await page(client, '/console')).toContain('Integration 42 and everything stored for it were deleted.');
    expect((await client.get('/console/integrations/42')).status).toBe(404);
  });

  it('refuses to delete for a member', async () => {
    const response = await (await member()).post('/console/integrations/42/delete', { confirm: 'acme' });
    expect(response.status).toBe(403);
  });
});

describe('deliveries and audit', () => {
  beforeEach(async () => {
    await seedDelivery(keel.keel.store, {
      id: 'dead-1',
      installationId: 42,
      status: 'dead',
      repository: 'acme/api',
      error: 'GitHub answered 502',
    });
    await seedDelivery(keel.keel.store, {
      id: 'other-1',
      installationId: 77,
      status: 'dead',
      repository: 'globex/api',
    });
  });

  it('lists the deliveries of visible integrations with their last error and a Retry button', async () => {
    const html = await page(await owner(), '/console/deliveries');
    expect(html).toContain('GitHub answered 502');
    expect(html).toContain('action="/console/deliveries/dead-1/retry"');
    expect(html).not.toContain('other-1');
  });

  it('retries a dead delivery and the audit log says who did', async () => {
    const client = await owner();
    const response = await client.post('/console/deliveries/dead-1/retry');
    expect(response.status).toBe(303);
    const row = await keel.keel.store.db
      .selectFrom('deliveries')
      .select('status')
      .where('id', '=', 'dead-1')
      .executeTakeFirst();
    expect(row?.status).not.toBe('dead');
    const audit = await page(client, '/console/audit');
    expect(audit).toMatch(/<td>octocat<\/td><td><code>delivery.retry<\/code><\/td>/);
  });

  it('refuses a retry of another account’s delivery with 404 and a member’s retry with 403', async () => {
    expect((await (await owner()).post('/console/deliveries/other-1/retry')).status).toBe(404);
    expect((await (await member()).post('/console/deliveries/dead-1/retry')).status).toBe(403);
  });

  it('shows the payload to the manage level only', async () => {
    expect(await page(await owner(), '/console/deliveries/dead-1/payload')).toContain(
      '&quot;action&quot;: &quot;opened&quot;',
    );
    expect((await (await member()).get('/console/deliveries/dead-1/payload')).status).toBe(403);
  });

  it('says why a delivery recorded without running has no payload, and where GitHub still shows it', async () => {
    await insertDelivery(keel.keel.store, {
      id: 'prose-1',
      event: 'issue_comment',
      action: 'created',
      installationId: 42,
      repository: 'acme/api',
      payload: Buffer.from('{"action":"created"}'),
      status: 'processed',
      receivedAt: Date.now(),
    });
    const html = await page(await owner(), '/console/deliveries/prose-1/payload');
    expect(html).toContain('so it did not keep the payload');
    expect(html).toContain('Recent Deliveries');
    expect(html).not.toContain('&quot;action&quot;');
  });
});
