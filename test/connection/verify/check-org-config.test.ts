import { ProbotOctokit } from 'probot';
import { describe, expect, it } from 'vitest';
import { checkOrgConfig, type CheckOrgConfigOptions } from '../../../src/connection/verify/checks/check-org-config.js';
import { githubApi, useGitHubMock } from '../../helpers/github-mock.js';

useGitHubMock();

const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const installationOctokit = new ProbotOctokit({
  auth: { token: 'ghs_test' },
  retry: { enabled: false },
  throttle: { enabled: false },
  log: quiet,
});
const SETTINGS = 'https://github.com/organizations/acme/settings/installations/42';
const CONFIG_PATH = '/repos/acme/.github/contents/.github%2Fkeel.yml';

function run(overrides: Partial<CheckOrgConfigOptions> = {}) {
  return checkOrgConfig({
    installationOctokit,
    account: { login: 'acme', type: 'Organization' },
    fullNames: ['acme/web', 'acme/api'],
    canReadContents: true,
    settingsUrl: SETTINGS,
    apiHost: 'api.github.com',
    ...overrides,
  });
}

describe('checkOrgConfig: organization-wide .github/keel.yml', () => {
  it('warns when the organization has a .github repository that is not selected', async () => {
    githubApi().get('/repos/acme/.github').reply(200, { full_name: 'acme/.github', private: false });
    expect(await run()).toEqual({
      name: 'org-config',
      status: 'warn',
      finding:
        'acme has a .github repository that is not among the selected repositories: organization-wide .github/keel.yml there is never read.',
      remedy: `Add acme/.github to the repositories Keel may see under Repository access at ${SETTINGS}.`,
    });
  });

  it('passes when the organization has no .github repository Keel can see', async () => {
    githubApi().get('/repos/acme/.github').reply(404, { message: 'Not Found' });
    expect(await run()).toMatchObject({
      status: 'pass',
      finding: expect.stringContaining('No acme/.github repository'),
    });
  });

  it('passes when the selected .github repository holds a valid keel.yml', async () => {
    githubApi().get(CONFIG_PATH).reply(200, 'prChecks:\n  maxChangedLines: 800\n', { etag: '"a1"' });
    expect(await run({ fullNames: ['acme/web', 'acme/.github'] })).toMatchObject({
      status: 'pass',
      finding: 'Organization-wide configuration read from acme/.github:.github/keel.yml.',
    });
  });

  it('warns when the organization-wide keel.yml cannot be used, naming the problem', async () => {
    githubApi().get(CONFIG_PATH).reply(200, 'prChecks:\n  maxChangedLines: lots\n', { etag: '"a2"' });
    const check = await run({ fullNames: ['acme/.github'] });
    expect([check.status, check.finding]).toEqual([
      'warn',
      expect.stringMatching(/^Organization-wide configuration cannot be read: Invalid .*maxChangedLines/),
    ]);
  });

  it('warns when the .github repository is selected but the installation may not read contents', async () => {
    const check = await run({ fullNames: ['acme/.github'], canReadContents: false });
    expect([check.status, check.finding]).toEqual([
      'warn',
      'acme/.github is selected but the installation does not grant contents: read, so its .github/keel.yml cannot be read.',
    ]);
  });

  it('skips a user account, which has no organization-wide configuration', async () => {
    expect((await run({ account: { login: 'octocat', type: 'User' } })).status).toBe('skip');
  });
});
