/**
 * Mock chains for the requests the pr-checks handler makes, built on the shared GitHub mock
 * (`githubApi()`), which fails a test on any request left unmocked or mock left unused.
 */
import type nock from 'nock';
import { expect } from 'vitest';
import type { ChangedFile } from '../../src/pr-checks/types.js';
export { addedFile } from '../../fixtures/pr-checks/helpers.js';
import { INSTALLATION_ID, OWNER, PULL_NUMBER, REPO, REPOSITORY_ID } from '../../fixtures/pr-checks/payloads.js';
import { githubApi, recordStatusWrites, type StatusBody } from '../helpers/github-mock.js';

export const REPO_PATH = `/repos/${OWNER}/${REPO}`;
export const CONFIG_PATH = `${REPO_PATH}/contents/.github%2Fkeel.yml`;
export const ORG_CONFIG_PATH = `/repos/${OWNER}/.github/contents/.github%2Fkeel.yml`;
export const FILES_PATH = `${REPO_PATH}/pulls/${PULL_NUMBER}/files`;
const RAW = { 'content-type': 'application/vnd.github.raw; charset=utf-8' };
/** The token configuration files are read with (see mockTokenMint). */
export const CONFIG_TOKEN = 'ghs_narrowedConfigTestToken';

export type { StatusBody };

/** A GitHub scope that records every request it answers, as "METHOD path". */
export function recordedGitHub(): { scope: nock.Scope; requests: string[] } {
  const scope = githubApi();
  const requests: string[] = [];
  scope.on('request', (request: { method: string; path: string }) =>
    requests.push(`${request.method} ${request.path}`),
  );
  return { scope, requests };
}

/**
 * The two narrowed tokens: the job's (this repository only, exactly the pr-checks permissions) and
 * the config reader's (contents: read on this repository and, by name, the owner's `.github`).
 * `dotGithub: 'inaccessible'`: GitHub refuses the config token naming `.github` (422), and Keel
 * mints one for this repository alone.
 */
export function mockTokenMint(
  scope: nock.Scope,
  { dotGithub = 'accessible' }: { dotGithub?: 'accessible' | 'inaccessible' } = {},
): nock.Scope {
  const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
  scope
    .post(`/app/installations/${INSTALLATION_ID}/access_tokens`, {
      repository_ids: [REPOSITORY_ID],
      permissions: { pull_requests: 'read', contents: 'read', statuses: 'write' },
    })
    .reply(201, {
      token: 'ghs_narrowedPrChecksTestToken',
      expires_at: expiresAt,
      permissions: { pull_requests: 'read', contents: 'read', statuses: 'write', metadata: 'read' },
    });
  const configToken = {
    token: CONFIG_TOKEN,
    expires_at: expiresAt,
    permissions: { contents: 'read', metadata: 'read' },
  };
  const named = scope.post(`/app/installations/${INSTALLATION_ID}/access_tokens`, {
    repository_ids: [REPOSITORY_ID],
    repositories: ['.github'],
    permissions: { contents: 'read' },
  });
  if (dotGithub === 'accessible') return named.reply(201, configToken);
  return named
    .reply(422, { message: 'There is at least one repository that does not exist or is not accessible.' })
    .post(`/app/installations/${INSTALLATION_ID}/access_tokens`, {
      repository_ids: [REPOSITORY_ID],
      permissions: { contents: 'read' },
    })
    .reply(201, configToken);
}

/** `.github/keel.yml` at `path` answers `text` (null: 404 Not Found); `token`: only when read with it. */
export function mockConfig(
  scope: nock.Scope,
  text: string | null,
  { path = CONFIG_PATH, etag, token }: { path?: string; etag?: string; token?: string } = {},
): nock.Scope {
  const interceptor = token ? scope.get(path).matchHeader('authorization', `token ${token}`) : scope.get(path);
  return text === null
    ? interceptor.reply(404, { message: 'Not Found' })
    : interceptor.reply(200, text, { ...RAW, ...(etag ? { etag } : {}) });
}

/** Records the commit statuses written on `sha` (each must be one of the `count` expected). */
export function mockStatuses(scope: nock.Scope, sha: string, count = 2): StatusBody[] {
  return recordStatusWrites(scope, REPO_PATH, sha, count);
}

/** The files listing, `pageSize` a page, linked as GitHub links pages. */
export function mockFiles(scope: nock.Scope, files: readonly ChangedFile[], pageSize = 100): nock.Scope {
  const pages = Math.max(1, Math.ceil(files.length / pageSize));
  for (let page = 1; page <= pages; page += 1) {
    const next = `https://api.github.com${FILES_PATH}?per_page=100&page=${page + 1}`;
    scope
      .get(FILES_PATH)
      .query(page === 1 ? { per_page: 100 } : { per_page: 100, page })
      .reply(
        200,
        files.slice((page - 1) * pageSize, page * pageSize),
        page < pages ? { link: `<${next}>; rel="next"` } : {},
      );
  }
  return scope;
}

/** A workflow file's content at `sha`. */
export function mockFileAt(scope: nock.Scope, path: string, sha: string, text: string): nock.Scope {
  return scope
    .get(`${REPO_PATH}/contents/${encodeURIComponent(path)}`)
    .query({ ref: sha })
    .reply(200, text, RAW);
}

/** The public URL's page path, fetched from the running Keel instead. */
export function localPageUrl(targetUrl: string | undefined, keelUrl: string): string {
  expect(targetUrl).toMatch(/^https:\/\/keel\.example\.com\/pr-checks\/[A-Za-z0-9_-]+\?sig=[A-Za-z0-9_-]{43}$/);
  return `${keelUrl}${new URL(targetUrl ?? '').pathname}${new URL(targetUrl ?? '').search}`;
}
