/**
 * Mock chains for the requests the pr-checks handler makes, built on the shared GitHub mock
 * (`githubApi()`), which fails a test on any request left unmocked or mock left unused.
 */
import type nock from 'nock';
import { expect } from 'vitest';
import type { ChangedFile } from '../../src/pr-checks/types.js';
import { addedFilePatch } from '../../fixtures/pr-checks/helpers.js';
import { INSTALLATION_ID, OWNER, PULL_NUMBER, REPO, REPOSITORY_ID } from '../../fixtures/pr-checks/payloads.js';
import { githubApi } from '../helpers/github-mock.js';

export const REPO_PATH = `/repos/${OWNER}/${REPO}`;
export const CONFIG_PATH = `${REPO_PATH}/contents/.github%2Fkeel.yml`;
export const ORG_CONFIG_PATH = `/repos/${OWNER}/.github/contents/.github%2Fkeel.yml`;
export const FILES_PATH = `${REPO_PATH}/pulls/${PULL_NUMBER}/files`;
const RAW = { 'content-type': 'application/vnd.github.raw; charset=utf-8' };

export interface StatusBody {
  state: string;
  description: string;
  context: string;
  target_url?: string;
}

/** A GitHub scope that records every request it answers, as "METHOD path". */
export function recordedGitHub(): { scope: nock.Scope; requests: string[] } {
  const scope = githubApi();
  const requests: string[] = [];
  scope.on('request', (request: { method: string; path: string }) =>
    requests.push(`${request.method} ${request.path}`),
  );
  return { scope, requests };
}

/** The narrowed token: this repository only, exactly the pr-checks permissions. */
export function mockTokenMint(scope: nock.Scope): nock.Scope {
  return scope
    .post(`/app/installations/${INSTALLATION_ID}/access_tokens`, {
      repository_ids: [REPOSITORY_ID],
      permissions: { pull_requests: 'read', contents: 'read', statuses: 'write' },
    })
    .reply(201, {
      token: 'ghs_narrowedPrChecksTestToken',
      expires_at: new Date(Date.now() + 3_600_000).toISOString(),
      permissions: { pull_requests: 'read', contents: 'read', statuses: 'write', metadata: 'read' },
    });
}

/** `.github/keel.yml` at `path` answers `text` (null: 404 Not Found). */
export function mockConfig(
  scope: nock.Scope,
  text: string | null,
  { path = CONFIG_PATH, etag }: { path?: string; etag?: string } = {},
): nock.Scope {
  const interceptor = scope.get(path);
  return text === null
    ? interceptor.reply(404, { message: 'Not Found' })
    : interceptor.reply(200, text, { ...RAW, ...(etag ? { etag } : {}) });
}

/** Records the commit statuses written on `sha` (each must be one of the `count` expected). */
export function mockStatuses(scope: nock.Scope, sha: string, count = 2): StatusBody[] {
  const written: StatusBody[] = [];
  scope
    .post(`${REPO_PATH}/statuses/${sha}`, (body: StatusBody) => {
      written.push(body);
      return true;
    })
    .times(count)
    .reply(201, {});
  return written;
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

/** A file the pull request adds, with its patch, as the files listing returns it. */
export function addedFile(filename: string, lines: readonly string[], extra: Partial<ChangedFile> = {}): ChangedFile {
  return {
    filename,
    status: 'added',
    additions: lines.length,
    deletions: 0,
    changes: lines.length,
    patch: addedFilePatch(lines),
    ...extra,
  };
}

/** The public URL's page path, fetched from the running Keel instead. */
export function localPageUrl(targetUrl: string | undefined, keelUrl: string): string {
  expect(targetUrl).toMatch(/^https:\/\/keel\.example\.com\/pr-checks\/[A-Za-z0-9_-]+\?sig=[A-Za-z0-9_-]{43}$/);
  return `${keelUrl}${new URL(targetUrl ?? '').pathname}${new URL(targetUrl ?? '').search}`;
}
