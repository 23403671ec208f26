import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import accessToken from '../../fixtures/connection/access-token.json' with { type: 'json' };
import { githubApi, useGitHubMock } from '../helpers/github-mock.js';
import { startKeel, type TestKeel } from '../helpers/keel.js';
import { seedInstallation } from '../integrations/seed.js';
import { runAgainst } from './run-cli.js';

useGitHubMock();

let keel: TestKeel;
beforeEach(async () => {
  keel = await startKeel();
  await seedInstallation(keel.keel.store, { id: 101, login: 'acme', repositories: ['api'] });
});
afterEach(() => keel.stop());

describe('keel services', () => {
  it('switches services and prints them', async () => {
    const run = await runAgainst(keel, ['services', '101', '--set', 'ci=false', '--set', 'pr-checks=true']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^ci\s+off$/m);
    expect(run.stdout).toMatch(/^pr-checks\s+on$/m);
  });

  it('prints them as JSON with --json', async () => {
    const run = await runAgainst(keel, ['services', '101', '--json']);
    expect(JSON.parse(run.stdout)).toMatchObject({ ci: true, 'pr-checks': true });
  });

  it('names the services when one is unknown', async () => {
    const run = await runAgainst(keel, ['services', '101', '--set', 'deploys=true']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('"deploys" is not a Keel service.');
    expect(run.stderr).toContain('fix: Services: pr-checks');
  });
});

describe('keel exclusions', () => {
  it('replaces the rules and prints them', async () => {
    const run = await runAgainst(keel, ['exclusions', '101', '--set', 'legacy-*', '--set', 'sandbox', '--json']);
    expect(JSON.parse(run.stdout)).toEqual({ rules: ['legacy-*', 'sandbox'] });
    expect((await runAgainst(keel, ['exclusions', '101', '--clear'])).stdout).toBe(
      'No repository of installation 101 is excluded.\n',
    );
  });
});

describe('keel refresh', () => {
  it('re-reads the repositories and says what changed', async () => {
    githubApi()
      .post('/app/installations/101/access_tokens')
      .reply(201, accessToken)
      .get('/installation/repositories')
      .query({ per_page: 100 })
      .reply(200, { total_count: 1, repositories: [{ id: 9, name: 'web', full_name: 'acme/web', private: true }] });
    const run = await runAgainst(keel, ['refresh', '101']);
    expect(run).toMatchObject({ code: 0, stdout: '101: 1 repositories (1 added, 1 removed)\n' });
  });
});

describe('keel delete', () => {
  it('needs --confirm with the account login', async () => {
    expect((await runAgainst(keel, ['delete', '101'])).code).toBe(2);
    const wrong = await runAgainst(keel, ['delete', '101', '--confirm', 'globex']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('Type the account login, acme, to confirm.');
  });

  it('removes what Keel stored for the installation', async () => {
    const run = await runAgainst(keel, ['delete', '101', '--confirm', 'acme']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Removed installation 101 from Keel');
    expect((await keel.api('/api/installations/101')).status).toBe(404);
  });
});
