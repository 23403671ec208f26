import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectionPlugin } from '../../src/connection/plugin.js';
import { example } from '../../fixtures/index.js';
import { useGitHubMock } from '../helpers/github-mock.js';
import { startKeel, type TestKeel } from '../helpers/keel.js';
import { mockVerification } from '../connection/mock-verification.js';
import { runAgainst } from './run-cli.js';

useGitHubMock();

let keel: TestKeel;

beforeEach(async () => {
  keel = await startKeel({ plugins: [connectionPlugin({ background: false, githubRetries: 0 })] });
  mockVerification({ installationId: 957387 });
  await keel.send('installation', example('installation.created'));
  await keel.keel.worker.idle();
});
afterEach(() => keel.stop());

describe('keel verify --installation ID', () => {
  it('verifies now, prints every check, and exits 0 when connected', async () => {
    mockVerification({ installationId: 957387 });
    const { code, stdout } = await runAgainst(keel, ['verify', '--installation', '957387']);
    const lines = stdout.split('\n');
    expect([code, lines[0], lines.slice(2, 10).map((line) => line.trim().split(/\s+/).slice(0, 2).join(' '))]).toEqual([
      0,
      '957387 acme (Organization): connected',
      [
        'pass app-credentials',
        'pass installation',
        'pass permissions',
        'pass token',
        'pass repositories',
        'pass rate-limit',
        'pass org-config',
        'pass webhook',
      ],
    ]);
  });

  it('prints the remedy of a failing check and exits 1', async () => {
    mockVerification({ installationId: 957387, permissions: { metadata: 'read' } });
    const { code, stdout } = await runAgainst(keel, ['verify', '--installation', '957387']);
    expect([code, stdout]).toEqual([1, expect.stringContaining('  fix permissions: ')]);
  });

  it('plans the write round trip as a dry run', async () => {
    mockVerification({ installationId: 957387 });
    const { stdout } = await runAgainst(keel, ['verify', '--installation', '957387', '--write-check', 'repo-1']);
    expect(stdout).toMatch(/skip\s+write:branch\s+dry run: would create branch keel\/connection-check/);
  });

  it('prints the installation as JSON with --json', async () => {
    mockVerification({ installationId: 957387 });
    const { stdout } = await runAgainst(keel, ['verify', '--installation', '957387', '--json']);
    expect(JSON.parse(stdout)).toMatchObject({ id: 957387, state: 'connected', report: { checks: expect.any(Array) } });
  });

  it('exits 1 with the server message for an installation Keel does not know', async () => {
    const { code, stderr } = await runAgainst(keel, ['verify', '--installation', '999']);
    expect([code, stderr.split('\n')[0]]).toEqual([1, 'keel verify: 404 from Keel: No installation with that id.']);
  });
});

describe('keel verify', () => {
  it('verifies every installation and exits 1 when any is not connected', async () => {
    await keel.send('installation_repositories', { ...example('installation_repositories.removed') });
    await keel.keel.worker.idle();
    mockVerification({ installationId: 2, account: { login: 'octocat', type: 'User', id: 1 } });
    mockVerification({ installationId: 957387, permissions: { metadata: 'read' } });
    const { code, stdout } = await runAgainst(keel, ['verify']);
    const headers = stdout.split('\n').filter((line) => /^\d+ \S+ \(/.test(line));
    expect([code, headers, stdout.trim().split('\n').at(-1)]).toEqual([
      1,
      ['2 octocat (User): connected', '957387 acme (Organization): degraded'],
      '1 of 2 not connected (957387 degraded): see the remedies above.',
    ]);
  });

  it('refuses --write-check without --installation', async () => {
    const { code, stderr } = await runAgainst(keel, ['verify', '--write-check', 'web']);
    expect([code, stderr]).toEqual([
      2,
      'keel verify: --write-check needs --installation: the round trip runs in one installation.\n',
    ]);
  });
});
