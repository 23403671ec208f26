import type nock from 'nock';
import pino from 'pino';
import { ProbotOctokit } from 'probot';
import { beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { createInstallationTokens, type InstallationTokens } from '../../src/github/installation-tokens.js';
import { createConfigCache, type ConfigCache } from '../../src/repo-config/config-cache.js';
import { loadInstallationConfig } from '../../src/repo-config/load-installation-config.js';
import { testPrivateKey } from '../../fixtures/index.js';
import { githubApi, useGitHubMock } from '../helpers/github-mock.js';

useGitHubMock();

const INSTALLATION = 42;
const REPOSITORY = { id: 1296269, owner: 'acme', name: 'app' };
const CONFIG = '/repos/acme/app/contents/.github%2Fkeel.yml';
const ORG_CONFIG = '/repos/acme/.github/contents/.github%2Fkeel.yml';
const SHARED_CONFIG = '/repos/acme/shared-config/contents/.github%2Fkeel.yml';
const RAW = { 'content-type': 'application/vnd.github.raw; charset=utf-8' };
const TOKENS = '/app/installations/42/access_tokens';
const CONTENTS_READ = { contents: 'read' };
const NO_RETRIES = { retry: { enabled: false }, throttle: { enabled: false } };
const INACCESSIBLE = {
  message: 'There is at least one repository that does not exist or is not accessible to the parent installation.',
  documentation_url: 'https://docs.github.com/rest/apps/apps#create-an-installation-access-token-for-an-app',
  status: '422',
};

let tokens: InstallationTokens;
let cache: ConfigCache;
let clock: number;

beforeEach(() => {
  tokens = createInstallationTokens({
    appOctokit: async () => new ProbotOctokit({ auth: { appId: 1, privateKey: testPrivateKey() }, ...NO_RETRIES }),
    Octokit: ProbotOctokit.defaults(NO_RETRIES) as typeof ProbotOctokit,
  });
  clock = Date.now();
  cache = createConfigCache({ now: () => clock });
});

const load = () =>
  loadInstallationConfig({
    tokens,
    cache,
    installationId: INSTALLATION,
    repository: REPOSITORY,
    log: pino({ level: 'silent' }),
  });

/** A config-read token minted for exactly `body`; every read made with it must carry `token`. */
function mockMint(scope: nock.Scope, body: Record<string, unknown>, token: string): nock.Scope {
  return scope.post(TOKENS, { ...body, permissions: CONTENTS_READ }).reply(201, {
    token,
    expires_at: new Date(Date.now() + 3_600_000).toISOString(),
    permissions: { contents: 'read', metadata: 'read' },
  });
}

function read(scope: nock.Scope, path: string, token: string, text: string | null, times = 1): nock.Scope {
  const interceptor = scope.get(path).matchHeader('authorization', `token ${token}`).times(times);
  return text === null ? interceptor.reply(404, { message: 'Not Found' }) : interceptor.reply(200, text, RAW);
}

describe("the organization's .github repository", () => {
  it('is read when private: the config token names it next to the repository', async () => {
    const scope = githubApi();
    mockMint(scope, { repository_ids: [REPOSITORY.id], repositories: ['.github'] }, 'ghs_config');
    read(scope, CONFIG, 'ghs_config', null);
    read(scope, ORG_CONFIG, 'ghs_config', 'prChecks:\n  maxChangedLines: 42\n');
    const { config, source } = await load();
    expect([source.kind, config.prChecks.maxChangedLines]).toEqual(['organization', 42]);
  });

  it('is left out of the token when the installation cannot see it (422), and the repository is still read', async () => {
    const scope = githubApi();
    scope
      .post(TOKENS, { repository_ids: [REPOSITORY.id], repositories: ['.github'], permissions: CONTENTS_READ })
      .reply(422, INACCESSIBLE);
    mockMint(scope, { repository_ids: [REPOSITORY.id] }, 'ghs_repo_only');
    read(scope, CONFIG, 'ghs_repo_only', 'prChecks:\n  maxChangedLines: 7\n');
    const { config, source } = await load();
    expect([source.kind, config.prChecks.maxChangedLines]).toEqual(['repository', 7]);
  });

  it('is not asked for again while the installation is remembered not to see it', async () => {
    const scope = githubApi();
    scope
      .post(TOKENS, { repository_ids: [REPOSITORY.id], repositories: ['.github'], permissions: CONTENTS_READ })
      .once()
      .reply(422, INACCESSIBLE);
    mockMint(scope, { repository_ids: [REPOSITORY.id] }, 'ghs_repo_only');
    read(scope, CONFIG, 'ghs_repo_only', null, 2);
    read(scope, ORG_CONFIG, 'ghs_repo_only', null, 2);
    await load();
    clock += 30 * 60 * 1000;
    expect((await load()).source.kind).toBe('defaults');
  });

  it('is asked for again once the memory has expired', async () => {
    const scope = githubApi();
    scope
      .post(TOKENS, { repository_ids: [REPOSITORY.id], repositories: ['.github'], permissions: CONTENTS_READ })
      .reply(422, INACCESSIBLE);
    mockMint(scope, { repository_ids: [REPOSITORY.id] }, 'ghs_repo_only');
    read(scope, CONFIG, 'ghs_repo_only', 'prChecks: {}\n');
    await load();

    clock += 61 * 60 * 1000;
    mockMint(scope, { repository_ids: [REPOSITORY.id], repositories: ['.github'] }, 'ghs_config');
    read(scope, CONFIG, 'ghs_config', null);
    read(scope, ORG_CONFIG, 'ghs_config', 'prChecks:\n  maxChangedLines: 9\n');
    expect((await load()).config.prChecks.maxChangedLines).toBe(9);
  });

  it('is not named when the repository is .github itself', async () => {
    const scope = githubApi();
    mockMint(scope, { repository_ids: [REPOSITORY.id] }, 'ghs_dot_github');
    read(scope, ORG_CONFIG, 'ghs_dot_github', 'prChecks:\n  maxChangedLines: 5\n');
    const loaded = await loadInstallationConfig({
      tokens,
      cache,
      installationId: INSTALLATION,
      repository: { ...REPOSITORY, name: '.github' },
    });
    expect([loaded.source.kind, loaded.config.prChecks.maxChangedLines]).toEqual(['repository', 5]);
  });
});

describe('_extends to another repository of the same owner', () => {
  it('reads a private base with a token naming that repository', async () => {
    const scope = githubApi();
    mockMint(scope, { repository_ids: [REPOSITORY.id], repositories: ['.github'] }, 'ghs_config');
    read(scope, CONFIG, 'ghs_config', '_extends: shared-config\nprChecks:\n  maxChangedLines: 50\n');
    mockMint(scope, { repositories: ['shared-config'] }, 'ghs_shared');
    read(scope, SHARED_CONFIG, 'ghs_shared', 'prChecks:\n  maxChangedLines: 400\n  ignorePaths: ["dist/**"]\n');
    const { config, source } = await load();
    expect(config.prChecks).toMatchObject({ maxChangedLines: 50, ignorePaths: ['dist/**'] });
    expect(source.files.map((file) => file.repo)).toEqual(['app', 'shared-config']);
  });

  it('reports a base the installation cannot see as one Keel cannot read', async () => {
    const scope = githubApi();
    mockMint(scope, { repository_ids: [REPOSITORY.id], repositories: ['.github'] }, 'ghs_config');
    read(scope, CONFIG, 'ghs_config', '_extends: shared-config\n');
    scope.post(TOKENS, { repositories: ['shared-config'], permissions: CONTENTS_READ }).reply(422, INACCESSIBLE);
    read(scope, SHARED_CONFIG, 'ghs_config', null);
    const error = await load().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe(
      'Invalid .github/keel.yml: _extends names acme/shared-config:.github/keel.yml, which does not exist or Keel cannot read (line 1)',
    );
  });
});
