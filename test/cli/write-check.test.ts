/**
 * `keel write-check`: "Verify by opening a pull request" from the command line, as the console's
 * button does it. It starts the run, prints each step once as it changes while the run goes on,
 * and exits non-zero unless every step passed.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/index.js';
import { connectionPlugin } from '../../src/connection/plugin.js';
import { useGitHubMock } from '../helpers/github-mock.js';
import { startKeel, TEST_ADMIN_TOKEN, type TestKeel } from '../helpers/keel.js';
import { deferred, mockRoundTrip } from '../integrations/mock-round-trip.js';
import { seedInstallation } from '../integrations/seed.js';
import { runAgainst } from './run-cli.js';

useGitHubMock();

let keel: TestKeel;
beforeEach(async () => {
  keel = await startKeel({ plugins: [connectionPlugin({ background: false, githubRetries: 0 })] });
  await seedInstallation(keel.keel.store, { id: 101, login: 'acme', repositories: ['api', 'site'] });
});
afterEach(() => keel.stop());

/** Runs the CLI and lets the test read what it printed so far. */
function startCli(argv: string[]) {
  const output = { stdout: '', stderr: '' };
  const code = runCli(argv, {
    env: { KEEL_URL: keel.url, KEEL_ADMIN_TOKEN: TEST_ADMIN_TOKEN },
    stdout: { write: (text: string) => (output.stdout += text) },
    stderr: { write: (text: string) => (output.stderr += text) },
  });
  return { output, code };
}

describe('keel write-check <installation> <repository>', () => {
  it('prints each step once as it happens, while the run goes on, and exits 0 when every step passed', async () => {
    const release = deferred();
    mockRoundTrip({ installationId: 101, login: 'acme', repo: 'api', release: release.promise });
    const cli = startCli(['write-check', '101', 'api']);

    // GitHub holds the pull request: the steps so far are printed before the run ends.
    await expect.poll(() => cli.output.stdout, { timeout: 5_000 }).toContain('running write:pull-request');
    expect(cli.output.stdout).not.toContain('write:status');
    release.resolve();

    expect(await cli.code).toBe(0);
    const lines = cli.output.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^Pull request verification [\w-]+ in acme\/api$/);
    // Each step once per status it was seen in (a step done between two reads shows only done), in order.
    const seen = lines.slice(1, -1).map((line) => /^(\w+)\s+([\w:-]+): /.exec(line)?.slice(1, 3).join(' '));
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toContain('running write:pull-request');
    expect(seen.filter((entry) => entry?.startsWith('pass '))).toEqual([
      'pass connection',
      'pass write:branch',
      'pass write:commit',
      'pass write:pull-request',
      'pass write:status',
      'pass write:comment',
      'pass write:cleanup',
    ]);
    expect(lines.at(-1)).toBe(
      'Passed: Keel opened a pull request in acme/api, set a status and commented on it, then closed it and deleted its branch.',
    );
  });

  it('prints only the finished run with --json, and exits 1 when a step failed', async () => {
    mockRoundTrip({ installationId: 101, login: 'acme', repo: 'api', failAt: 'branch' });
    const run = await runAgainst(keel, ['write-check', '101', 'acme/api', '--json']);
    expect(run.code).toBe(1);
    const finished = JSON.parse(run.stdout) as {
      outcome: string;
      running: boolean;
      steps: { name: string; status: string }[];
    };
    expect([finished.outcome, finished.running]).toEqual(['failed', false]);
    expect(finished.steps.map((step) => `${step.name}:${step.status}`)).toEqual([
      'connection:pass',
      'write:branch:fail',
      'write:commit:skip',
      'write:pull-request:skip',
      'write:status:skip',
      'write:comment:skip',
      'write:cleanup:pass',
    ]);
  });

  it('names the installation it does not know', async () => {
    const run = await runAgainst(keel, ['write-check', '999', 'acme/api']);
    expect([run.code, run.stdout]).toEqual([1, '']);
    expect(run.stderr).toContain('404 from Keel: No integration 999.');
  });

  it('refuses a repository the installation does not hold, starting nothing', async () => {
    const run = await runAgainst(keel, ['write-check', '101', 'globex/api']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('400 from Keel: globex/api is not a repository of this integration.');
    expect(run.stderr).toContain('fix: Pick one of its repositories; refresh them first if it is new.');
    expect(await keel.keel.store.db.selectFrom('write_checks').select('id').execute()).toEqual([]);
  });

  it('says the token is refused when KEEL_ADMIN_TOKEN is wrong', async () => {
    const run = await runAgainst(keel, ['write-check', '101', 'api'], { KEEL_ADMIN_TOKEN: 'not-the-token' });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^keel write-check: 401 from Keel: /);
  });

  it('refuses a second run while one goes on, saying how to follow it', async () => {
    const arrived = deferred();
    const release = deferred();
    mockRoundTrip({
      installationId: 101,
      login: 'acme',
      repo: 'api',
      onPullRequest: arrived.resolve,
      release: release.promise,
    });
    const first = startCli(['write-check', '101', 'api', '--json']);
    await arrived.promise;
    const second = await runAgainst(keel, ['write-check', '101', 'site']);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain('409 from Keel: A pull request verification of integration 101 is already running');
    const runId = /keel write-check 101 --run ([\w-]+)/.exec(second.stderr)?.[1];
    expect(runId).toBeDefined();
    // keel verify's own round trip would use the same branch: refused too.
    const verify = await runAgainst(keel, ['verify', '--installation', '101', '--write-check', 'api', '--no-dry-run']);
    expect([verify.code, verify.stderr]).toEqual([
      1,
      expect.stringContaining('409 from Keel: A pull request verification'),
    ]);

    release.resolve();
    expect(await first.code).toBe(0);
    // A run started and left is found again: listed, and followed by its id.
    const listed = await runAgainst(keel, ['write-check', '101']);
    expect(listed.stdout).toMatch(new RegExp(`^${runId}\\s+acme/api\\s+passed\\s`, 'm'));
    const followed = await runAgainst(keel, ['write-check', '101', '--run', runId ?? '']);
    expect([followed.code, followed.stdout.trimEnd().split('\n').at(-1)]).toEqual([
      0,
      expect.stringMatching(/^Passed: /),
    ]);
  });

  it('checks its arguments before calling Keel', async () => {
    expect((await runAgainst(keel, ['write-check'])).code).toBe(2);
    expect((await runAgainst(keel, ['write-check', 'acme', 'api'])).stderr).toContain(
      '"acme" is not an installation id',
    );
    expect((await runAgainst(keel, ['write-check', '101', 'api', '--run', 'x'])).code).toBe(2);
  });
});
