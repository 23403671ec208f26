import { ProbotOctokit } from 'probot';
import { beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { createConfigCache, type ConfigCache } from '../../src/repo-config/config-cache.js';
import { loadRepoConfig } from '../../src/repo-config/load-repo-config.js';
import { githubApi, useGitHubMock } from '../helpers/github-mock.js';

useGitHubMock();

const octokit = new ProbotOctokit({
  auth: { token: 'ghs_test' },
  retry: { enabled: false },
  throttle: { enabled: false },
});
const CONFIG = '/repos/acme/app/contents/.github%2Fkeel.yml';
const ORG_CONFIG = '/repos/acme/.github/contents/.github%2Fkeel.yml';
const RAW = { 'content-type': 'application/vnd.github.raw; charset=utf-8' };

let cache: ConfigCache;
beforeEach(() => {
  cache = createConfigCache();
});

const load = () => loadRepoConfig({ octokit, owner: 'acme', repo: 'app', cache });

async function loadError(): Promise<ConfigError> {
  const error = await load().catch((caught: unknown) => caught);
  if (!(error instanceof ConfigError)) throw new Error(`expected a ConfigError, got ${String(error)}`);
  return error;
}

describe('loadRepoConfig', () => {
  it('reads .github/keel.yml from the repository with the raw media type', async () => {
    githubApi()
      .get(CONFIG)
      .matchHeader('accept', /application\/vnd\.github(\.v3)?\.raw/)
      .reply(200, 'prChecks:\n  maxChangedLines: 200\n', RAW);
    const { config, source } = await load();
    expect(config.prChecks.maxChangedLines).toBe(200);
    expect(source).toMatchObject({ kind: 'repository', files: [{ owner: 'acme', repo: 'app' }] });
  });

  it('uses the defaults when neither the repository nor the organization has the file', async () => {
    githubApi().get(CONFIG).reply(404, { message: 'Not Found' }).get(ORG_CONFIG).reply(404, { message: 'Not Found' });
    const { config, source } = await load();
    expect(config.prChecks).toEqual({
      rules: { secrets: true, conflictMarkers: true, workflowRisks: true, size: true, title: true },
      maxChangedLines: 1000,
      ignorePaths: [],
    });
    expect(source.kind).toBe('defaults');
  });

  it("falls back to the organization's .github repository", async () => {
    githubApi()
      .get(CONFIG)
      .reply(404, { message: 'Not Found' })
      .get(ORG_CONFIG)
      .reply(200, 'prChecks:\n  titlePattern: "^(feat|fix):"\n', RAW);
    const { config, source } = await load();
    expect(config.prChecks.titlePattern).toBe('^(feat|fix):');
    expect(source.kind).toBe('organization');
  });

  it('merges a base named by _extends under the repository file, key by key', async () => {
    githubApi()
      .get(CONFIG)
      .reply(200, '_extends: .github\nprChecks:\n  maxChangedLines: 50\n', RAW)
      .get(ORG_CONFIG)
      .reply(200, 'prChecks:\n  maxChangedLines: 400\n  ignorePaths: ["dist/**"]\n', RAW);
    const { config } = await load();
    expect(config.prChecks).toMatchObject({ maxChangedLines: 50, ignorePaths: ['dist/**'] });
  });

  it('follows _extends to another owner and path', async () => {
    githubApi()
      .get(CONFIG)
      .reply(200, '_extends: shared/policies:keel/base.yml\n', RAW)
      .get('/repos/shared/policies/contents/keel%2Fbase.yml')
      .reply(200, 'prChecks:\n  rules:\n    size: false\n', RAW);
    const { config, source } = await load();
    expect(config.prChecks.rules.size).toBe(false);
    expect(source.files.map((file) => `${file.owner}/${file.repo}:${file.path}`)).toEqual([
      'acme/app:.github/keel.yml',
      'shared/policies:keel/base.yml',
    ]);
  });

  it('stops an _extends chain that loops back, naming the line', async () => {
    githubApi()
      .get(CONFIG)
      .reply(200, 'prChecks: {}\n_extends: .github\n', RAW)
      .get(ORG_CONFIG)
      .reply(200, '_extends: app\n', RAW);
    expect((await loadError()).message).toBe(
      'Invalid acme/.github:.github/keel.yml: _extends: .github/keel.yml was already read; the _extends chain loops (line 1)',
    );
  });

  it('reports an _extends base that does not exist', async () => {
    githubApi()
      .get(CONFIG)
      .reply(200, '_extends: nowhere\n', RAW)
      .get('/repos/acme/nowhere/contents/.github%2Fkeel.yml')
      .reply(404);
    expect((await loadError()).message).toBe(
      'Invalid .github/keel.yml: _extends names acme/nowhere:.github/keel.yml, which does not exist or Keel cannot read (line 1)',
    );
  });

  it('sends the ETag it kept and reuses its copy when GitHub answers 304 Not Modified', async () => {
    githubApi()
      .get(CONFIG)
      .reply(200, 'prChecks:\n  maxChangedLines: 200\n', { ...RAW, etag: 'W/"abc"' })
      .get(CONFIG)
      .matchHeader('if-none-match', 'W/"abc"')
      .reply(304);
    await load();
    const { config, source } = await load();
    expect(config.prChecks.maxChangedLines).toBe(200);
    expect(source.notModified).toBe(1);
  });

  it('reads the file again when it changed (200 with a new ETag)', async () => {
    githubApi()
      .get(CONFIG)
      .reply(200, 'prChecks:\n  maxChangedLines: 200\n', { ...RAW, etag: '"one"' })
      .get(CONFIG)
      .matchHeader('if-none-match', '"one"')
      .reply(200, 'prChecks:\n  maxChangedLines: 300\n', { ...RAW, etag: '"two"' });
    await load();
    expect((await load()).config.prChecks.maxChangedLines).toBe(300);
  });
});

describe('loadRepoConfig with an invalid file', () => {
  const serve = (text: string) => githubApi().get(CONFIG).reply(200, text, RAW);

  it('names a value of the wrong type and its line', async () => {
    serve('# Keel\nprChecks:\n  maxChangedLines: lots\n');
    expect((await loadError()).message).toBe(
      'Invalid .github/keel.yml: prChecks.maxChangedLines must be a number (line 3)',
    );
  });

  it('names an unknown key and its line', async () => {
    serve('prChecks:\n  rules:\n    secrets: true\n    sekrets: false\n');
    expect((await loadError()).message).toBe(
      'Invalid .github/keel.yml: prChecks.rules.sekrets is not a known key; did you mean secrets? (line 4)',
    );
  });

  it('names an unknown section', async () => {
    serve('prCheck:\n  maxChangedLines: 10\n');
    expect((await loadError()).message).toBe(
      'Invalid .github/keel.yml: prCheck is not a known key; did you mean prChecks? (line 1)',
    );
  });

  it('names a YAML syntax error and its line', async () => {
    serve('prChecks:\n  rules:\n    secrets: true: false\n');
    expect((await loadError()).message).toBe(
      'Invalid .github/keel.yml: YAML syntax error: Nested mappings are not allowed in compact mappings (line 3)',
    );
  });

  it('lists every problem, in line order', async () => {
    serve('prChecks:\n  ignorePaths: [1]\n  maxChangedLines: 0\n');
    expect((await loadError()).message).toBe(
      'Invalid .github/keel.yml: prChecks.ignorePaths.0 must be a string (line 2); prChecks.maxChangedLines must be greater than 0 (line 3)',
    );
  });

  it('blames the base file for a problem set there', async () => {
    githubApi()
      .get(CONFIG)
      .reply(200, '_extends: .github\n', RAW)
      .get(ORG_CONFIG)
      .reply(200, 'prChecks:\n  titlePattern: "(["\n', RAW);
    expect((await loadError()).message).toBe(
      'Invalid acme/.github:.github/keel.yml: prChecks.titlePattern is not a valid JavaScript regular expression (line 2)',
    );
  });

  it('refuses a file that is not a mapping', async () => {
    serve('- prChecks\n');
    expect((await loadError()).message).toBe(
      'Invalid .github/keel.yml: the file must be a mapping of sections such as prChecks: (line 1)',
    );
  });
});

describe('loadRepoConfig when GitHub fails', () => {
  it('throws a transient GitHubError on a server error, so the delivery is retried', async () => {
    githubApi().get(CONFIG).reply(502, { message: 'Bad gateway' });
    await expect(load()).rejects.toMatchObject({ kind: 'server', transient: true });
  });
});
