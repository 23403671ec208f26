/**
 * A repository on mocked GitHub for the repair tests: each helper mocks the requests one step of
 * a repair makes, so a test reads as the conversation Keel has with GitHub. Built on the shared
 * GitHub mock, which fails a test on any request left unmocked or mock left unused.
 */
import { createHash } from 'node:crypto';
import type nock from 'nock';
import { example } from '../../fixtures/index.js';
import { githubApi } from '../helpers/github-mock.js';

export const OWNER = 'Codertocat';
export const REPO = 'Hello-World';
export const REPOSITORY_ID = 186853002;
export const INSTALLATION_ID = 957387;
export const DEFAULT_BRANCH = 'master';
export const REPO_PATH = `/repos/${OWNER}/${REPO}`;
export const HEAD_SHA = 'a'.repeat(40);
export const REPAIR_PERMISSIONS = { contents: 'write', workflows: 'write', pull_requests: 'write' };
const RAW = { 'content-type': 'application/vnd.github.raw; charset=utf-8' };

/** A GitHub scope that records every request it answers, as "METHOD path". */
export function recordedGitHub(): { scope: nock.Scope; requests: string[] } {
  const scope = githubApi();
  const requests: string[] = [];
  scope.on('request', (request: { method: string; path: string }) =>
    requests.push(`${request.method} ${request.path.split('?')[0]}`),
  );
  return { scope, requests };
}

/** The config reader's token and the repair job's token (this repository, exactly repair's permissions). */
export function mockTokens(scope: nock.Scope, { repair = true }: { repair?: boolean } = {}): void {
  const expires_at = new Date(Date.now() + 3_600_000).toISOString();
  scope
    .post(`/app/installations/${INSTALLATION_ID}/access_tokens`, {
      repository_ids: [REPOSITORY_ID],
      repositories: ['.github'],
      permissions: { contents: 'read' },
    })
    .reply(201, { token: 'ghs_configToken', expires_at, permissions: { contents: 'read' } });
  if (!repair) return;
  scope
    .post(`/app/installations/${INSTALLATION_ID}/access_tokens`, {
      repository_ids: [REPOSITORY_ID],
      permissions: REPAIR_PERMISSIONS,
    })
    .reply(201, { token: 'ghs_repairToken', expires_at, permissions: { ...REPAIR_PERMISSIONS, metadata: 'read' } });
}

/** `.github/keel.yml` in the repository (null: none) and none in the organization's `.github`. */
export function mockConfig(
  scope: nock.Scope,
  text: string | null,
  { organization = null as string | null } = {},
): void {
  const path = `${REPO_PATH}/contents/.github%2Fkeel.yml`;
  if (text === null) scope.get(path).reply(404, { message: 'Not Found' });
  else scope.get(path).reply(200, text, RAW);
  if (text !== null) return;
  const orgPath = `/repos/${OWNER}/.github/contents/.github%2Fkeel.yml`;
  if (organization === null) scope.get(orgPath).reply(404, { message: 'Not Found' });
  else scope.get(orgPath).reply(200, organization, RAW);
}

export interface RepoFile {
  path: string;
  text: string;
}

export function blobSha(file: RepoFile): string {
  return createHash('sha1').update(`${file.path}\0${file.text}`).digest('hex');
}

/** The workflows directory listing: the files with `etag`, or 304 when `notModified`. */
export function mockListing(
  scope: nock.Scope,
  files: readonly RepoFile[],
  {
    etag = '"listing-1"',
    notModified = false,
    ifNoneMatch,
  }: { etag?: string; notModified?: boolean; ifNoneMatch?: string } = {},
): void {
  const interceptor = scope.get(`${REPO_PATH}/contents/.github%2Fworkflows`).query({ ref: DEFAULT_BRANCH });
  const matched = ifNoneMatch ? interceptor.matchHeader('if-none-match', ifNoneMatch) : interceptor;
  if (notModified) {
    matched.reply(304);
    return;
  }
  matched.reply(
    200,
    files.map((file) => ({ type: 'file', name: file.path.split('/').pop(), path: file.path, sha: blobSha(file) })),
    { etag },
  );
}

export function mockBlobs(scope: nock.Scope, files: readonly RepoFile[]): void {
  for (const file of files) {
    scope
      .get(`${REPO_PATH}/git/blobs/${blobSha(file)}`)
      .reply(200, { content: Buffer.from(file.text).toString('base64'), encoding: 'base64' });
  }
}

export interface BotPull {
  number: number;
  state: 'open' | 'closed';
  merged_at?: string | null;
  body: string;
}

/** Keel's pull requests from `branch` (newest first). */
export function mockPulls(
  scope: nock.Scope,
  pulls: readonly BotPull[],
  { branch = 'keel/repair-workflows', etag = '"pulls-1"', notModified = false, ifNoneMatch = '' } = {},
): void {
  const listed = scope
    .get(`${REPO_PATH}/pulls`)
    .query((query) => query.head === `${OWNER}:${branch}` && query.state === 'all');
  const interceptor = ifNoneMatch ? listed.matchHeader('if-none-match', ifNoneMatch) : listed;
  if (notModified) {
    interceptor.reply(304);
    return;
  }
  interceptor.reply(
    200,
    pulls.map((pull) => ({
      ...pull,
      merged_at: pull.merged_at ?? null,
      html_url: `https://github.com/${OWNER}/${REPO}/pull/${pull.number}`,
    })),
    { etag },
  );
}

/** The list Keel reads again after it wrote, for a fresh ETag. */
export function mockRelist(scope: nock.Scope, pulls: readonly BotPull[] = [], branch = 'keel/repair-workflows'): void {
  mockPulls(scope, pulls, { branch, etag: '"pulls-2"' });
}

export interface CommitWrites {
  /** Blob contents, by the order they were posted. */
  blobs: string[];
  tree: { path: string; sha: string }[];
  message: string;
  ref: { ref?: string; sha: string; force?: boolean } | undefined;
}

/**
 * The directory of the files a commit writes, listed at the head it builds on, so Keel can check
 * they are still what it read: `files` as they are there (the repair's workflows; none for the
 * onboarding's `.github/keel.yml`).
 */
export function mockFilesAtHead(
  scope: nock.Scope,
  files: readonly RepoFile[],
  { directory = '.github/workflows', head = HEAD_SHA } = {},
): void {
  scope
    .get(`${REPO_PATH}/contents/${encodeURIComponent(directory)}`)
    .query({ ref: head })
    .reply(
      200,
      files.map((file) => ({ type: 'file', name: file.path.split('/').pop(), path: file.path, sha: blobSha(file) })),
    );
}

/**
 * One commit on `branch` through the Git Data API, on a head where `atHead` are as Keel read them;
 * `existing`: the branch is moved, not created; `refused`: the ref write never leaves Keel (the
 * request guard stops it), so it is not mocked.
 */
export function mockCommit(
  scope: nock.Scope,
  count: number,
  { branch = 'keel/repair-workflows', existing = false, refused = false, atHead = [] as readonly RepoFile[] } = {},
): CommitWrites {
  const writes: CommitWrites = { blobs: [], tree: [], message: '', ref: undefined };
  scope.get(`${REPO_PATH}/git/ref/heads%2F${DEFAULT_BRANCH}`).reply(200, { object: { sha: HEAD_SHA } });
  mockFilesAtHead(scope, atHead, { directory: branch === 'keel/configure' ? '.github' : '.github/workflows' });
  scope.get(`${REPO_PATH}/git/commits/${HEAD_SHA}`).reply(200, { sha: HEAD_SHA, tree: { sha: 'tree-base' } });
  scope
    .post(`${REPO_PATH}/git/blobs`, (body: { content: string }) => {
      writes.blobs.push(body.content);
      return true;
    })
    .times(count)
    .reply(201, () => ({ sha: `blob-${writes.blobs.length}` }));
  scope
    .post(`${REPO_PATH}/git/trees`, (body: { base_tree: string; tree: { path: string; sha: string }[] }) => {
      writes.tree = body.tree.map(({ path, sha }) => ({ path, sha }));
      return body.base_tree === 'tree-base';
    })
    .reply(201, { sha: 'tree-new' });
  scope
    .post(`${REPO_PATH}/git/commits`, (body: { message: string; tree: string; parents: string[] }) => {
      writes.message = body.message;
      return body.tree === 'tree-new' && body.parents[0] === HEAD_SHA;
    })
    .reply(201, { sha: 'commit-new' });
  if (refused) return writes;
  if (existing) {
    scope
      .post(`${REPO_PATH}/git/refs`)
      .reply(422, { message: 'Reference already exists' })
      .patch(`${REPO_PATH}/git/refs/heads%2F${branch.replace('/', '%2F')}`, (body: { sha: string; force: boolean }) => {
        writes.ref = body;
        return true;
      })
      .reply(200, {});
  } else {
    scope
      .post(`${REPO_PATH}/git/refs`, (body: { ref: string; sha: string }) => {
        writes.ref = body;
        return true;
      })
      .reply(201, {});
  }
  return writes;
}

export interface PullWrite {
  title?: string;
  body?: string;
  head?: string;
  base?: string;
  state?: string;
}

export function mockOpenPull(scope: nock.Scope, number = 7): PullWrite[] {
  const written: PullWrite[] = [];
  scope
    .post(`${REPO_PATH}/pulls`, (body: PullWrite) => {
      written.push(body);
      return true;
    })
    .reply(201, { number, html_url: `https://github.com/${OWNER}/${REPO}/pull/${number}` });
  return written;
}

export function mockEditPull(scope: nock.Scope, number: number): PullWrite[] {
  const written: PullWrite[] = [];
  scope
    .patch(`${REPO_PATH}/pulls/${number}`, (body: PullWrite) => {
      written.push(body);
      return true;
    })
    .reply(200, {});
  return written;
}

/** A push to the default branch that changed a workflow. */
export function pushPayload() {
  const payload = example('push');
  payload.ref = `refs/heads/${DEFAULT_BRANCH}`;
  payload.installation = { id: INSTALLATION_ID, node_id: 'MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uOTU3Mzg3' };
  payload.commits = [
    {
      ...(payload.head_commit ?? ({} as NonNullable<typeof payload.head_commit>)),
      id: HEAD_SHA,
      added: [],
      removed: [],
      modified: ['.github/workflows/ci.yml'],
    },
  ];
  return payload;
}
