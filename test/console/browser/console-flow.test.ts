/**
 * The console in real Chromium, walked as an admin would: sign in with GitHub, Add integration,
 * back on the setup URL to "Connected", then Test connection, a missing permission, a service
 * switched off, a repository excluded (and a pull request on it left alone), a dead delivery
 * retried, a role granted and the integration deleted. Every page is checked with axe-core and
 * photographed at 1280 and 390 px (test/artifacts/).
 *
 * Chromium's requests reach a loopback server playing github.com's pages; Keel's own requests to
 * GitHub (the same host, as a GitHub Enterprise Server) are mocked with nock.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { example } from '../../../fixtures/index.js';
import { consolePlugin } from '../../../src/console/plugin.js';
import { prChecksPlugin } from '../../../src/pr-checks/plugin.js';
import {
  findFreePort,
  findSeriousViolations,
  launchChromium,
  measureContentWidth,
  screenshotWidths,
  startGitHubWeb,
  type GitHubWeb,
} from '../../helpers/browser.js';
import { githubApi, useGitHubMock } from '../../helpers/github-mock.js';
import { startKeel, type TestKeel } from '../../helpers/keel.js';
import { installationBody, mockVerification } from '../../connection/mock-verification.js';
import accessToken from '../../../fixtures/connection/access-token.json' with { type: 'json' };
import app from '../../../fixtures/connection/app.json' with { type: 'json' };
import { seedDelivery } from '../pages/console-fixtures.js';
import { deferred, mockRoundTrip } from '../../integrations/mock-round-trip.js';

useGitHubMock();

const ACME = { login: 'acme', type: 'Organization', id: 100 };
const GRANTED = {
  metadata: 'read',
  actions: 'read',
  contents: 'write',
  discussions: 'write',
  issues: 'write',
  pull_requests: 'write',
  statuses: 'write',
  workflows: 'write',
};

const REPOSITORIES = {
  total_count: 3,
  repository_selection: 'selected',
  repositories: ['api', 'legacy-web', 'site'].map((name, index) => ({
    id: 500 + index,
    name,
    full_name: `acme/${name}`,
    private: false,
  })),
};

let browser: Browser;
let github: GitHubWeb;
let keel: TestKeel;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  browser = await launchChromium();
  github = await startGitHubWeb({ installationId: 42, code: 'oauth-code-1' });
  const port = await findFreePort();
  keel = await startKeel({
    plugins: [consolePlugin(), prChecksPlugin()],
    env: {
      PORT: String(port),
      KEEL_PUBLIC_URL: `http://127.0.0.1:${port}`,
      GHE_HOST: github.host,
      GHE_PROTOCOL: 'http',
      GITHUB_CLIENT_ID: 'Iv1.console',
      GITHUB_CLIENT_SECRET: 'console-client-secret-0123456789',
    },
  });
  github.setKeelUrl(keel.url);
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  page.setDefaultTimeout(10_000);
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
  page.on('pageerror', (error) => pageErrors.push(error.message));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await keel?.stop();
  await github?.close();
});

const api = () => githubApi(`${github.url}/api/v3`);

function mockMembership(role: 'admin' | 'member' = 'admin') {
  api().get('/user/memberships/orgs/acme').reply(200, { state: 'active', role });
}

/** axe-core finds no serious or critical violation, nothing scrolls sideways at 390 px, and both widths are saved. */
async function checkPage(name: string): Promise<void> {
  expect(await findSeriousViolations(page)).toEqual([]);
  expect(await measureContentWidth(page, 390)).toBeLessThanOrEqual(390);
  await screenshotWidths(page, name);
}

async function flash(): Promise<string> {
  return (await page.locator('.flash').first().innerText()).trim();
}

describe('the console in Chromium', () => {
  it("signs in through GitHub's authorize page and lands on the integrations page", async () => {
    githubApi(github.url)
      .post('/login/oauth/access_token')
      .reply(200, { access_token: 'gho_octocat', token_type: 'bearer' });
    api().get('/user').reply(200, { id: 1, login: 'octocat', name: 'The Octocat', avatar_url: null });
    await page.goto(`${keel.url}/console`);
    await expect(page.getByRole('heading', { level: 1 }).innerText()).resolves.toBe('Integrations');
    await checkPage('integrations-empty');
  });

  it("adds an integration: GitHub's installation page, back on the setup URL, Connected", async () => {
    api().get('/app').reply(200, app);
    api()
      .get('/user/installations')
      .query({ per_page: 100, page: 1 })
      .reply(200, {
        total_count: 1,
        installations: [installationBody({ installationId: 42, account: ACME, permissions: GRANTED })],
      });
    mockVerification(
      { installationId: 42, account: ACME, permissions: GRANTED, repositoriesReply: [200, REPOSITORIES] },
      api(),
    );
    mockMembership();
    await page.getByRole('link', { name: /^Connect GitHub/ }).click();
    await page.waitForURL(`${keel.url}/console/integrations/42`);
    expect(await flash()).toBe('Integration added; the connection is connected.');
    expect(await page.locator('.Label--success', { hasText: 'Connected' }).count()).toBeGreaterThan(0);
  });

  it('refreshes repositories, then tests the connection and names a missing permission with its capability', async () => {
    api().post('/app/installations/42/access_tokens').reply(201, accessToken);
    api().get('/installation/repositories').query({ per_page: 100 }).reply(200, REPOSITORIES);
    await page.getByRole('button', { name: 'Refresh repositories' }).click();
    expect(await flash()).toMatch(/^Repositories refreshed: 3 \(\d+ added, \d+ removed\)\.$/);

    // Test connection: the installation lost workflows: write; the page names what is off.
    const { workflows: _dropped, ...withoutWorkflows } = GRANTED;
    mockVerification(
      { installationId: 42, account: ACME, permissions: withoutWorkflows, repositoriesReply: [200, REPOSITORIES] },
      api(),
    );
    await page.getByRole('button', { name: 'Test connection' }).click();
    expect(await flash()).toBe('Tested: degraded. See the checks below.');
    const workflowsRow = page.locator('tr', { has: page.locator('code', { hasText: /^workflows$/ }) });
    expect(await workflowsRow.innerText()).toMatch(
      /workflows\s+write\s+none\s+Missing\s+Off without it: Workflow repair/,
    );
    await checkPage('integration-details');
  });

  it('verifies by opening a pull request, each step shown in place as it happens', async () => {
    const arrived = deferred();
    const release = deferred();
    const { workflows: _dropped, ...withoutWorkflows } = GRANTED;
    mockRoundTrip({
      installationId: 42,
      login: 'acme',
      repo: 'api',
      onPullRequest: arrived.resolve,
      release: release.promise,
      scope: api(),
      verification: { account: ACME, permissions: withoutWorkflows, repositoriesReply: [200, REPOSITORIES] },
    });
    await page.getByLabel('Verify by opening a pull request in').selectOption('acme/api');
    await page.getByRole('button', { name: 'Verify by opening a pull request' }).click();
    await page.waitForURL(/\/console\/integrations\/42\/write-checks\/[\w-]+$/);
    const marker = () => page.evaluate(() => (globalThis as unknown as { keelMarker?: number }).keelMarker);
    await page.evaluate(() => ((globalThis as unknown as { keelMarker?: number }).keelMarker = 1));
    await arrived.promise;
    const pullRequest = page.locator('[data-step="write:pull-request"]');
    await expect.poll(() => pullRequest.getAttribute('data-status'), { timeout: 10_000 }).toBe('running');
    expect(await page.locator('#write-check-now').innerText()).toBe('Step write:pull-request: running.');
    await checkPage('write-check-running');

    release.resolve();
    await expect.poll(() => page.locator('#write-check-now').innerText(), { timeout: 10_000 }).toBe('');
    expect(await page.locator('#write-check-outcome').innerText()).toContain('Keel opened a pull request in acme/api');
    // Updated in place: the same document, never reloaded.
    expect(await marker()).toBe(1);
    await checkPage('write-check-done');

    await page.getByRole('link', { name: 'Back to acme' }).click();
    const latest = page.getByRole('link', { name: 'Latest pull request verification in acme/api' });
    expect(await latest.count()).toBe(1);
  });

  it('switches CI diagnosis off', async () => {
    await page.getByLabel('CI diagnosis').uncheck();
    await page.getByRole('button', { name: 'Save services' }).click();
    expect(await flash()).toBe('Services saved: pr-checks, repair, commands on.');
    expect(await page.getByLabel('CI diagnosis').isChecked()).toBe(false);
  });

  it('excludes legacy-* after a preview, and a pull request there gets no status', async () => {
    await page.getByLabel('Rules').fill('legacy-*');
    await page.getByRole('button', { name: 'Preview' }).click();
    expect(await page.getByRole('region', { name: 'Exclusions preview' }).innerText()).toContain(
      '1 repository would be excluded:\nacme/legacy-web',
    );
    await page.getByRole('button', { name: 'Save these rules' }).click();
    expect(await flash()).toBe('Exclusions saved: legacy-*.');
    const pull = example('pull_request.opened');
    pull.installation = { id: 42, node_id: 'MDIz' };
    pull.repository.full_name = 'acme/legacy-web';
    pull.repository.name = 'legacy-web';
    expect((await keel.send('pull_request', pull, 'pr-on-excluded')).status).toBe(202);
    await keel.keel.worker.idle();
    expect(github.unexpected).toEqual([]);
  });

  it('retries a dead delivery from the deliveries page', async () => {
    await seedDelivery(keel.keel.store, {
      id: 'dead-1',
      installationId: 42,
      status: 'dead',
      event: 'ping',
      error: 'GitHub answered 502',
    });
    await page.getByRole('link', { name: 'Deliveries', exact: true }).click();
    await checkPage('deliveries');
    await page.getByRole('button', { name: 'Retry delivery dead-1' }).click();
    expect(await flash()).toBe('Delivery dead-1 (ping) is queued again.');
  });

  it('grants hubot the manage level, and the audit log shows it', async () => {
    await page.goto(`${keel.url}/console/integrations/42`);
    await page.getByLabel('GitHub login').fill('hubot');
    await page.getByLabel('Level').selectOption('manage');
    await page.getByRole('button', { name: 'Grant' }).click();
    expect(await flash()).toBe('hubot now holds the manage level.');

    await page.getByRole('link', { name: 'Audit log', exact: true }).click();
    expect(await page.locator('table').innerText()).toContain('integration.role-granted');
    await checkPage('audit');

    await page.goto(`${keel.url}/console`);
    await checkPage('integrations');
  });

  it('deletes the integration once its account name is typed', async () => {
    await page.goto(`${keel.url}/console/integrations/42#delete`);
    const remove = page.getByRole('button', { name: 'Delete this integration' });
    expect(await remove.isDisabled()).toBe(true);
    await page.getByLabel('Type acme to confirm').fill('acme');
    await remove.click();
    await page.waitForURL(`${keel.url}/console`);
    expect(await flash()).toBe('Integration 42 and everything stored for it were deleted.');
    expect(await page.locator('.blankslate').innerText()).toContain('No integration yet.');
    expect(pageErrors).toEqual([]);
  });
});
