/**
 * Mock chains for the requests the CI handler makes, on the shared GitHub mock (which fails a test
 * on any request left unmocked or mock left unused), and a running Keel with the ci plugin.
 */
import { createReadStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import nock from 'nock';
import { expect } from 'vitest';
import { ciPlugin } from '../../src/ci/plugin.js';
import type { ApiJob } from '../../fixtures/ci/payloads.js';
import { INSTALLATION_ID, OWNER, REPO, REPOSITORY_ID } from '../../fixtures/ci/payloads.js';
import { githubApi, recordStatusWrites, type StatusBody } from '../helpers/github-mock.js';
import { startKeel, type TestKeel } from '../helpers/keel.js';

export const REPO_PATH = `/repos/${OWNER}/${REPO}`;
export const CONFIG_PATH = `${REPO_PATH}/contents/.github%2Fkeel.yml`;
export const ORG_CONFIG_PATH = `/repos/${OWNER}/.github/contents/.github%2Fkeel.yml`;
export const LOG_HOST = 'https://pipelines.actions.githubusercontent.com';
export const PUBLIC_URL = 'https://keel.example.com';
const LOGS = fileURLToPath(new URL('../../fixtures/ci/logs/', import.meta.url));
const RAW = { 'content-type': 'application/vnd.github.raw; charset=utf-8' };
const CI_PERMISSIONS = { actions: 'read', statuses: 'write', pull_requests: 'write', issues: 'write' };

export interface GitHub {
  api: nock.Scope;
  logs: nock.Scope;
  /** Every request answered, as "METHOD path" (downloads as "GET <log host>/path"). */
  requests: string[];
}

export function startCiKeel(): Promise<TestKeel> {
  return startKeel({ plugins: [ciPlugin()], env: { KEEL_PUBLIC_URL: PUBLIC_URL } });
}

export function recordedGitHub(): GitHub {
  const api = githubApi();
  const logs = nock(LOG_HOST);
  const requests: string[] = [];
  api.on('request', (request: { method: string; path: string }) => requests.push(`${request.method} ${request.path}`));
  logs.on('request', (request: { method: string; path: string }) =>
    requests.push(`${request.method} ${LOG_HOST}${request.path.split('?')[0]}`),
  );
  return { api, logs, requests };
}

/** Requests other than token minting: what a handler spends of the installation's rate limit. */
export function apiRequests(github: GitHub): string[] {
  return github.requests.filter((request) => !request.includes('/access_tokens'));
}

/**
 * The two narrowed tokens: the job's (ci permissions, this repository only) and the config
 * reader's (contents: read on this repository and, by name, the owner's `.github`).
 */
export function mockTokens({ api }: GitHub): void {
  const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
  api
    .post(`/app/installations/${INSTALLATION_ID}/access_tokens`, {
      repository_ids: [REPOSITORY_ID],
      permissions: CI_PERMISSIONS,
    })
    .reply(201, {
      token: 'ghs_ciJobTestToken',
      expires_at: expiresAt,
      permissions: { ...CI_PERMISSIONS, metadata: 'read' },
    });
  api
    .post(`/app/installations/${INSTALLATION_ID}/access_tokens`, {
      repository_ids: [REPOSITORY_ID],
      repositories: ['.github'],
      permissions: { contents: 'read' },
    })
    .reply(201, {
      token: 'ghs_ciConfigTestToken',
      expires_at: expiresAt,
      permissions: { contents: 'read', metadata: 'read' },
    });
}

/**
 * `.github/keel.yml` answers `text`; null: neither the repository nor the organization has one.
 * `from: 'organization'`: only the owner's `.github` has it, read with the config token.
 */
export function mockConfig(
  { api }: GitHub,
  text: string | null,
  { from = 'repository' }: { from?: 'repository' | 'organization' } = {},
): void {
  if (text === null) {
    api.get(CONFIG_PATH).reply(404, { message: 'Not Found' });
    api.get(ORG_CONFIG_PATH).reply(404, { message: 'Not Found' });
  } else if (from === 'organization') {
    api.get(CONFIG_PATH).reply(404, { message: 'Not Found' });
    api.get(ORG_CONFIG_PATH).matchHeader('authorization', 'token ghs_ciConfigTestToken').reply(200, text, RAW);
  } else {
    api.get(CONFIG_PATH).reply(200, text, RAW);
  }
}

export function mockJobs({ api }: GitHub, runId: number, attempt: number, jobs: readonly ApiJob[]): void {
  api
    .get(`${REPO_PATH}/actions/runs/${runId}/attempts/${attempt}/jobs`)
    .query({ per_page: 100 })
    .reply(200, { total_count: jobs.length, jobs });
}

/** The job's log: 302 to the download host, which streams fixtures/ci/logs/<logName>.log. */
export function mockLog({ api, logs }: GitHub, jobId: number, logName: string): void {
  api
    .get(`${REPO_PATH}/actions/jobs/${jobId}/logs`)
    .reply(302, '', { location: `${LOG_HOST}/logs/${jobId}?sig=short-lived` });
  logs
    .get(`/logs/${jobId}`)
    .query({ sig: 'short-lived' })
    .reply(200, () => createReadStream(`${LOGS}${logName}.log`), { 'content-type': 'text/plain' });
}

/** The job's log as `mockLog` serves it, with `text` as its content (a log built at run time). */
export function mockLogText({ api, logs }: GitHub, jobId: number, text: string): void {
  api
    .get(`${REPO_PATH}/actions/jobs/${jobId}/logs`)
    .reply(302, '', { location: `${LOG_HOST}/logs/${jobId}?sig=short-lived` });
  logs.get(`/logs/${jobId}`).query({ sig: 'short-lived' }).reply(200, text, { 'content-type': 'text/plain' });
}

export type { StatusBody };

/** Records the commit statuses written on `sha`. */
export function mockStatus({ api }: GitHub, sha: string, count = 1): StatusBody[] {
  return recordStatusWrites(api, REPO_PATH, sha, count);
}

/** Records bodies sent to an endpoint; each answers `reply`. */
function recordBodies(
  interceptor: nock.Interceptor,
  reply: Record<string, unknown>,
  status = 201,
): { bodies: Record<string, unknown>[] } {
  const bodies: Record<string, unknown>[] = [];
  interceptor.reply(status, (_uri, body) => {
    bodies.push(body as Record<string, unknown>);
    return reply;
  });
  return { bodies };
}

export function mockListComments({ api }: GitHub, issueNumber: number, comments: unknown[] = []): void {
  api.get(`${REPO_PATH}/issues/${issueNumber}/comments`).query({ per_page: 100 }).reply(200, comments);
}

export function mockCreateComment({ api }: GitHub, issueNumber: number, commentId: number) {
  return recordBodies(api.post(`${REPO_PATH}/issues/${issueNumber}/comments`), { id: commentId });
}

export function mockUpdateComment({ api }: GitHub, commentId: number) {
  return recordBodies(api.patch(`${REPO_PATH}/issues/comments/${commentId}`), { id: commentId }, 200);
}

export function mockCreateLabel({ api }: GitHub, status = 201) {
  return recordBodies(
    api.post(`${REPO_PATH}/labels`),
    status === 422
      ? { message: 'Validation Failed', errors: [{ resource: 'Label', code: 'already_exists', field: 'name' }] }
      : { name: 'keel:ci' },
    status,
  );
}

export function mockCreateIssue({ api }: GitHub, issueNumber: number) {
  return recordBodies(api.post(`${REPO_PATH}/issues`), { number: issueNumber });
}

export function mockUpdateIssue({ api }: GitHub, issueNumber: number) {
  return recordBodies(api.patch(`${REPO_PATH}/issues/${issueNumber}`), { number: issueNumber }, 200);
}

export interface ListedRun {
  id: number;
  workflow_id: number;
  name: string;
  path?: string;
  event?: string;
  status: string;
  conclusion: string | null;
  run_number?: number;
  run_attempt?: number;
}

export function mockCommitRuns({ api }: GitHub, sha: string, runs: readonly ListedRun[]): void {
  api
    .get(`${REPO_PATH}/actions/runs`)
    .query({ head_sha: sha, per_page: 100 })
    .reply(200, {
      total_count: runs.length,
      workflow_runs: runs.map((run) => ({
        path: `.github/workflows/${run.name.toLowerCase()}.yml`,
        event: 'pull_request',
        run_number: 163,
        run_attempt: 1,
        head_sha: sha,
        ...run,
      })),
    });
}

/** Sends a delivery and waits until Keel has handled it. */
export async function deliver(keel: TestKeel, event: string, payload: unknown): Promise<void> {
  const response = await keel.send(event, payload);
  expect(response.status).toBe(202);
  await keel.keel.worker.idle();
}

/** The delivery's outcome as /api/deliveries reports it (newest first). */
export async function lastDelivery(keel: TestKeel): Promise<{ status: string; error: string | null }> {
  const response = await keel.api('/api/deliveries?limit=1');
  const [delivery] = (await response.json()) as { status: string; error: string | null }[];
  return delivery ?? { status: 'none', error: null };
}

/** The page a published target URL points at, fetched from the running Keel. */
export function localPageUrl(targetUrl: string | undefined, keelUrl: string): string {
  expect(targetUrl).toMatch(/^https:\/\/keel\.example\.com\/ci\/[A-Za-z0-9_-]+\?sig=[A-Za-z0-9_-]{43}$/);
  const url = new URL(targetUrl ?? '');
  return `${keelUrl}${url.pathname}${url.search}`;
}
