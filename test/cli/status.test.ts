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
});
afterEach(() => keel.stop());

async function deliver(event: string, payload: unknown): Promise<void> {
  await keel.send(event, payload);
  await keel.keel.worker.idle();
}

async function installConnected(): Promise<void> {
  mockVerification({ installationId: 957387, repositories: 3 });
  await deliver('installation', example('installation.created'));
}

describe('keel status', () => {
  it('shows a table of installations with their state, repositories and missing permissions', async () => {
    await installConnected();
    await deliver('installation', example('installation.suspend'));
    const { stdout } = await runAgainst(keel, ['status']);
    const lines = stdout.split('\n').map((line) => line.split(/\s{2,}/));
    expect(lines.slice(0, 3)).toEqual([
      ['ID', 'ACCOUNT', 'STATE', 'REPOSITORIES', 'LAST VERIFIED', 'MISSING PERMISSIONS'],
      ['957387', 'acme (Organization)', 'connected', '3 (selected)', expect.stringMatching(/^\d{4}-\d\d-\d\dT/), '-'],
      [
        '16598467',
        'Codertocat (User)',
        'suspended',
        '? (all)',
        'never',
        'discussions: write (commands); issues: write (ci, commands); statuses: write (pr-checks, ci)',
      ],
    ]);
  });

  it('exits 1 and says which installations are not connected', async () => {
    await installConnected();
    await deliver('installation', example('installation.suspend'));
    const { code, stdout } = await runAgainst(keel, ['status']);
    expect([code, stdout.trim().split('\n').at(-1)]).toEqual([
      1,
      '1 of 2 not connected (16598467 suspended): run keel verify --installation ID for the checks and remedies.',
    ]);
  });

  it('exits 0 when every installation is connected', async () => {
    await installConnected();
    const { code, stdout } = await runAgainst(keel, ['status']);
    expect([code, stdout.trim().split('\n').at(-1)]).toEqual([0, 'All 1 installations are connected.']);
  });

  it('prints the installations as JSON with --json', async () => {
    await installConnected();
    const { code, stdout } = await runAgainst(keel, ['status', '--json']);
    expect([code, JSON.parse(stdout)]).toEqual([0, [expect.objectContaining({ id: 957387, state: 'connected' })]]);
  });

  it('says why an installation is in its state: the first failing check, with its remedy', async () => {
    mockVerification({ installationId: 957387, permissions: { metadata: 'read' } });
    await deliver('installation', example('installation.created'));
    const { code, stdout } = await runAgainst(keel, ['status']);
    const reason = stdout.split('\n').slice(2, 4);
    expect([code, reason]).toEqual([
      1,
      [
        expect.stringMatching(/^957387 acme: fail permissions: /),
        expect.stringMatching(/^ {2}fix: An owner reviews and accepts the requested permissions at https:/),
      ],
    ]);
  });

  it('names a warning as the reason when no check fails', async () => {
    mockVerification({ installationId: 957387, orgGithubRepo: [200, { full_name: 'acme/.github' }] });
    await deliver('installation', example('installation.created'));
    const { stdout } = await runAgainst(keel, ['status']);
    expect(stdout).toContain(
      '957387 acme: warn org-config: acme has a .github repository that is not among the selected repositories',
    );
  });

  it('gives the reason in --json too', async () => {
    mockVerification({ installationId: 957387, permissions: { metadata: 'read' } });
    await deliver('installation', example('installation.created'));
    const { stdout } = await runAgainst(keel, ['status', '--json']);
    expect(JSON.parse(stdout)).toEqual([
      expect.objectContaining({
        id: 957387,
        reason: expect.objectContaining({
          name: 'permissions',
          status: 'fail',
          finding: expect.stringContaining('Missing actions: read'),
          remedy: expect.stringContaining('accepts the requested permissions'),
        }),
      }),
    ]);
  });

  it('says so when there is no installation yet', async () => {
    const { code, stdout } = await runAgainst(keel, ['status']);
    expect([code, stdout]).toEqual([0, 'No installations yet: install the app on an account, then run keel verify.\n']);
  });

  it('exits 2 with the fix when KEEL_ADMIN_TOKEN is missing', async () => {
    const { code, stderr } = await runAgainst(keel, ['status'], { KEEL_ADMIN_TOKEN: '' });
    expect([code, stderr]).toEqual([
      2,
      'keel status: KEEL_ADMIN_TOKEN is not set: export the token Keel was started with.\n',
    ]);
  });
});
