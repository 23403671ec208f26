import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectionPlugin } from '../../src/connection/plugin.js';
import { example } from '../../fixtures/index.js';
import installation from '../../fixtures/connection/installation.json' with { type: 'json' };
import { githubApi, useGitHubMock } from '../helpers/github-mock.js';
import { startKeel, type TestKeel } from '../helpers/keel.js';
import { mockVerification } from './mock-verification.js';

useGitHubMock();

const ID = 957387;
let keel: TestKeel;

interface InstallationBody {
  state: string;
  permissions: { missing: unknown[] };
  repositories: { selection: string; count: number | null };
  report: null | {
    at: string;
    checks: { name: string; status: string; finding: string; remedy: string }[];
    writePlan?: unknown[];
  };
}

beforeEach(async () => {
  keel = await startKeel({ plugins: [connectionPlugin({ background: false, githubRetries: 0 })] });
});
afterEach(() => keel.stop());

async function install(): Promise<InstallationBody> {
  expect((await keel.send('installation', example('installation.created'))).status).toBe(202);
  await keel.keel.worker.idle();
  return (await (await keel.api(`/api/installations/${ID}`)).json()) as InstallationBody;
}

function verifyNow(body?: unknown, id = ID) {
  return keel.api(`/api/installations/${id}/verify`, {
    method: 'POST',
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
}

describe('verification on installation.created', () => {
  it('stores a report whose every check passes, and the installation is connected', async () => {
    mockVerification({ installationId: ID });
    const shown = await install();
    expect([shown.state, shown.report?.checks.map((check) => `${check.name}:${check.status}`)]).toEqual([
      'connected',
      [
        'app-credentials:pass',
        'installation:pass',
        'permissions:pass',
        'token:pass',
        'repositories:pass',
        'rate-limit:pass',
        'org-config:pass',
        'webhook:pass',
      ],
    ]);
  });

  it('is degraded when a permission is missing, naming the capability it disables', async () => {
    const { workflows: _, ...permissions } = installation.permissions;
    mockVerification({ installationId: ID, permissions });
    const shown = await install();
    expect([shown.state, shown.permissions.missing]).toEqual([
      'degraded',
      [{ permission: 'workflows', level: 'write', capabilities: ['repair'] }],
    ]);
  });

  it('is degraded when GitHub answers 403 Resource not accessible by integration', async () => {
    mockVerification({
      installationId: ID,
      repositoriesReply: [403, { message: 'Resource not accessible by integration' }],
    });
    const shown = await install();
    expect([shown.state, shown.report?.checks.find((check) => check.name === 'repositories')]).toEqual([
      'degraded',
      expect.objectContaining({
        status: 'fail',
        finding: 'GitHub refused: Resource not accessible by integration',
        remedy: expect.stringContaining('accept the new permissions'),
      }),
    ]);
  });

  it('is unauthorized when GitHub rejects the app credentials with 401', async () => {
    githubApi().get('/app').reply(401, { message: 'Bad credentials' });
    const shown = await install();
    expect([shown.state, shown.report?.checks[0]?.remedy]).toEqual([
      'unauthorized',
      expect.stringContaining('Check APP_ID and PRIVATE_KEY'),
    ]);
  });

  it('is unreachable when the connection to GitHub is refused', async () => {
    githubApi().get('/app').replyWithError({ code: 'ECONNREFUSED' });
    const shown = await install();
    expect([shown.state, shown.report?.checks[0]?.finding]).toEqual([
      'unreachable',
      'Connection to api.github.com failed (ECONNREFUSED).',
    ]);
  });

  it('takes 8 GitHub requests for an installation with 100 repositories', async () => {
    const requests: string[] = [];
    const scope = mockVerification({ installationId: ID, repositories: 100 });
    scope.on('request', (request: { method: string; path: string }) =>
      requests.push(`${request.method} ${request.path}`),
    );
    const shown = await install();
    expect([shown.repositories.count, requests.length]).toEqual([100, 8]);
  });
});

describe('POST /api/installations/:id/verify', () => {
  it('verifies now and answers with the installation and its new report', async () => {
    mockVerification({ installationId: ID });
    const first = await install();
    mockVerification({ installationId: ID, permissions: { metadata: 'read' } });
    const response = await verifyNow();
    const body = (await response.json()) as InstallationBody;
    expect([response.status, first.state, body.state, body.report?.at !== first.report?.at]).toEqual([
      200,
      'connected',
      'degraded',
      true,
    ]);
  });

  it('answers with the report itself too: its time and checks at the top level', async () => {
    mockVerification({ installationId: ID });
    await install();
    mockVerification({ installationId: ID });
    const body = (await (await verifyNow()).json()) as InstallationBody & { at: string; checks: unknown[] };
    expect([body.at, body.checks]).toEqual([body.report?.at, body.report?.checks]);
    expect(body.checks.length).toBeGreaterThan(0);
  });

  it('plans the write round trip as a dry run in a repository named without its owner', async () => {
    mockVerification({ installationId: ID });
    await install();
    mockVerification({ installationId: ID });
    const body = (await (await verifyNow({ writeCheck: { repo: 'repo-1' } })).json()) as InstallationBody;
    const writes = body.report?.checks.filter((check) => check.name.startsWith('write:')) ?? [];
    expect([writes.length, new Set(writes.map((check) => check.status)), writes[0]?.finding]).toEqual([
      6,
      new Set(['skip']),
      expect.stringContaining('dry run: would create branch keel/connection-check'),
    ]);
  });

  it('answers 400 with a clear message for a body it cannot use', async () => {
    const response = await verifyNow({ writeCheck: { repo: 'not a repo!' } });
    expect([response.status, await response.json()]).toEqual([
      400,
      expect.objectContaining({
        error: 'Invalid body: writeCheck.repo must be a repository name such as web or acme/web.',
      }),
    ]);
  });

  it('answers 400 for a body that is not JSON', async () => {
    const response = await verifyNow('{writeCheck');
    expect([response.status, ((await response.json()) as { error: string }).error]).toEqual([
      400,
      'The body is not JSON.',
    ]);
  });

  it('answers 400 for a dryRun that is not a boolean', async () => {
    const response = await verifyNow({ writeCheck: { repo: 'web', dryRun: 'no' } });
    expect(response.status).toBe(400);
  });

  it('answers 404 for an installation Keel does not know', async () => {
    const response = await verifyNow({}, 999);
    expect([response.status, ((await response.json()) as { error: string }).error]).toEqual([
      404,
      'No installation with that id.',
    ]);
  });
});

describe('GET /api/installations/:id', () => {
  it('answers 404 for an installation Keel does not know', async () => {
    expect((await keel.api('/api/installations/999')).status).toBe(404);
  });

  it('refuses callers without the admin token', async () => {
    expect((await fetch(`${keel.url}/api/installations`)).status).toBe(401);
  });
});

describe('verification on GitHub Enterprise Server', () => {
  it('sends every request, the installation token ones too, to the GHES host', async () => {
    const ghes = await startKeel({
      env: { GHE_HOST: 'ghe.example.com' },
      plugins: [connectionPlugin({ background: false, githubRetries: 0 })],
    });
    try {
      mockVerification({ installationId: ID }, githubApi('https://ghe.example.com/api/v3'));
      await ghes.send('installation', example('installation.created'));
      await ghes.keel.worker.idle();
      const shown = (await (await ghes.api(`/api/installations/${ID}`)).json()) as InstallationBody;
      expect(shown.state).toBe('connected');
    } finally {
      await ghes.stop();
    }
  });
});
