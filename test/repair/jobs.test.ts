/**
 * Repair's background jobs, run through the scheduler Keel runs them with
 * (`createBackgroundJobs`), against a mocked GitHub: the weekly sweep, the hourly drain of what the
 * hourly cap queued (repairs and onboarding pull requests), and the clean-up of dry-run reports.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { examples } from '../../fixtures/index.js';
import { capabilityDeps, type CapabilityDeps } from '../../src/capability-deps.js';
import { createBackgroundJobs } from '../../src/connection/background-jobs.js';
import { readSchedule } from '../../src/connection/schedules.js';
import { signPath } from '../../src/http/signed-links.js';
import { createRepairJobs, QUEUE_JOB, REPORT_RETENTION_JOB, SWEEP_JOB } from '../../src/repair/jobs.js';
import { repairPlugin } from '../../src/repair/plugin.js';
import { queueRepair, reserveOpening, saveActionFacts, saveReport } from '../../src/repair/store.js';
import { useGitHubMock } from '../helpers/github-mock.js';
import { startKeel, type TestKeel } from '../helpers/keel.js';
import {
  DEFAULT_BRANCH,
  INSTALLATION_ID,
  mockBlobs,
  mockCommit,
  mockConfig,
  mockListing,
  mockOpenPull,
  mockPulls,
  mockRelist,
  mockTokens,
  recordedGitHub,
  REPO_PATH,
  REPOSITORY_ID,
  type RepoFile,
} from './github-scenario.js';

useGitHubMock();

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2026, 10, 30, 12);
const CI: RepoFile = {
  path: '.github/workflows/ci.yml',
  text: ['on: push', 'jobs:', '  test:', '    runs-on: ubuntu-20.04', '    steps:', '      - run: make', ''].join('\n'),
};

let keel: TestKeel;
beforeEach(async () => {
  keel = await startKeel({
    plugins: [repairPlugin({ background: false })],
    env: { KEEL_PUBLIC_URL: 'https://keel.example.com' },
  });
});
afterEach(() => keel.stop());

function repairDeps(now: number): CapabilityDeps {
  return { ...capabilityDeps(keel.keel, 'repair'), now: () => now };
}

/** One tick of the scheduler with repair's jobs, at `now`; returns the recorded result of each job `names` lists (those due). */
async function runJobs(
  now: number,
  names: readonly string[] = [QUEUE_JOB, SWEEP_JOB, REPORT_RETENTION_JOB],
): Promise<Record<string, unknown>> {
  const deps = repairDeps(now);
  const jobs = createBackgroundJobs({
    store: keel.keel.store,
    jobs: createRepairJobs(deps),
    log: deps.log,
    tickMs: HOUR,
    now: () => now,
  });
  jobs.start();
  const results: Record<string, unknown> = {};
  await vi.waitFor(
    async () => {
      for (const name of names) {
        const row = await readSchedule(keel.keel.store, name);
        expect(row?.last_success_at).toBe(now);
        results[name] = JSON.parse(row?.last_result ?? 'null');
      }
    },
    { timeout: 10_000, interval: 20 },
  );
  await jobs.stop();
  return results;
}

async function storeInstallation(id: number, suspendedAt: number | null = null): Promise<void> {
  await keel.keel.store.db
    .insertInto('installations')
    .values({
      id,
      account_login: 'Codertocat',
      account_type: 'User',
      account_id: id,
      installed_by: null,
      repository_selection: 'selected',
      permissions: '{}',
      events: '[]',
      suspended_at: suspendedAt,
      suspended_by: null,
      state: 'connected',
      created_at: 0,
      updated_at: 0,
      repository_count: 1,
    })
    .execute();
}

async function storeRepository(id: number, installationId: number, fullName: string): Promise<void> {
  await keel.keel.store.db
    .insertInto('repositories')
    .values({ id, installation_id: installationId, full_name: fullName, private: 0 })
    .execute();
}

/** The repair of Codertocat/Hello-World opening pull request #7 for its ubuntu-20.04 job. */
function mockRepairOpening(scope: ReturnType<typeof recordedGitHub>['scope'], { readsBranch = false } = {}) {
  mockTokens(scope);
  mockConfig(scope, null);
  if (readsBranch) scope.get(REPO_PATH).reply(200, { default_branch: DEFAULT_BRANCH });
  mockListing(scope, [CI]);
  mockBlobs(scope, [CI]);
  mockPulls(scope, []);
  const commit = mockCommit(scope, 1, { atHead: [CI] });
  const opened = mockOpenPull(scope, 7);
  mockRelist(scope, [{ number: 7, state: 'open', body: 'opened' }]);
  return { commit, opened };
}

describe('the weekly sweep', () => {
  it('repairs every repository of every installation that is not suspended', async () => {
    await storeInstallation(INSTALLATION_ID);
    await storeRepository(REPOSITORY_ID, INSTALLATION_ID, 'Codertocat/Hello-World');
    // A suspended installation's repository costs no request (none is mocked for it).
    await storeInstallation(5150, NOW - DAY);
    await storeRepository(5151, 5150, 'Codertocat/Suspended');
    const { scope } = recordedGitHub();
    const { opened, commit } = mockRepairOpening(scope, { readsBranch: true });

    const results = await runJobs(NOW);

    expect(opened).toMatchObject([{ head: 'keel/repair-workflows', base: DEFAULT_BRANCH }]);
    expect(commit.blobs[0]).toContain('runs-on: ubuntu-24.04');
    expect(results[SWEEP_JOB]).toEqual({ opened: 1 });
  });
});

describe('the hourly drain', () => {
  it('opens the repair pull request the hourly cap queued, once the installation is under it', async () => {
    for (let repository = 1; repository <= 10; repository++) {
      await reserveOpening(
        keel.keel.store,
        { installationId: INSTALLATION_ID, repositoryId: repository, branch: 'keel/repair-workflows' },
        NOW - 2 * HOUR,
      );
    }
    await queueRepair(
      keel.keel.store,
      {
        repositoryId: REPOSITORY_ID,
        installationId: INSTALLATION_ID,
        owner: 'Codertocat',
        name: 'Hello-World',
        trigger: 'push',
      },
      NOW - 2 * HOUR,
    );
    const { scope } = recordedGitHub();
    const { opened } = mockRepairOpening(scope, { readsBranch: true });

    const results = await runJobs(NOW);

    expect(opened).toHaveLength(1);
    expect(results[QUEUE_JOB]).toEqual({ opened: 1 });
    // Taken off the queue: the next drain has nothing to do and asks GitHub nothing.
    expect(await keel.keel.store.db.selectFrom('repair_queue').selectAll().execute()).toEqual([]);
  });

  it('queues the repair again while the installation is still at its cap', async () => {
    for (let repository = 1; repository <= 10; repository++) {
      await reserveOpening(
        keel.keel.store,
        { installationId: INSTALLATION_ID, repositoryId: repository, branch: 'keel/repair-workflows' },
        NOW - 10 * 60_000,
      );
    }
    await queueRepair(
      keel.keel.store,
      {
        repositoryId: REPOSITORY_ID,
        installationId: INSTALLATION_ID,
        owner: 'Codertocat',
        name: 'Hello-World',
        trigger: 'push',
      },
      NOW - 20 * 60_000,
    );
    const { scope } = recordedGitHub();
    mockTokens(scope);
    mockConfig(scope, null);
    scope.get(REPO_PATH).reply(200, { default_branch: DEFAULT_BRANCH });
    mockListing(scope, [CI]);
    mockBlobs(scope, [CI]);
    mockPulls(scope, []);

    const results = await runJobs(NOW);

    expect(results[QUEUE_JOB]).toEqual({ deferred: 1 });
    const queue = await keel.keel.store.db.selectFrom('repair_queue').select(['repository_id', 'trigger']).execute();
    expect(queue.map((row) => [Number(row.repository_id), row.trigger])).toEqual([[REPOSITORY_ID, 'push']]);
  });
});

describe('the onboarding pull request past the hourly cap', () => {
  it('is queued when the repository joins, and opened by the drain an hour later', async () => {
    for (let repository = 1; repository <= 10; repository++) {
      await reserveOpening(
        keel.keel.store,
        { installationId: INSTALLATION_ID, repositoryId: repository, branch: 'keel/repair-workflows' },
        Date.now() - 60_000,
      );
    }
    const joined = recordedGitHub();
    mockTokens(joined.scope);
    mockConfig(joined.scope, null);
    joined.scope.get(REPO_PATH).reply(200, { default_branch: DEFAULT_BRANCH });
    mockListing(joined.scope, []);
    mockPulls(joined.scope, []);
    mockPulls(joined.scope, [], { branch: 'keel/configure' });
    await keel.send('installation', examples('installation.created')[0]);
    await keel.keel.worker.idle();
    // Nothing opened (no POST was mocked), and the repository waits in the queue as a joining one.
    const queue = await keel.keel.store.db.selectFrom('repair_queue').select(['repository_id', 'trigger']).execute();
    expect(queue.map((row) => [Number(row.repository_id), row.trigger])).toEqual([[REPOSITORY_ID, 'installation']]);

    const drained = recordedGitHub();
    mockConfig(drained.scope, null);
    drained.scope.get(REPO_PATH).reply(200, { default_branch: DEFAULT_BRANCH });
    mockListing(drained.scope, [], { notModified: true, ifNoneMatch: '"listing-1"' });
    mockPulls(drained.scope, [], { notModified: true, ifNoneMatch: '"pulls-1"' });
    mockPulls(drained.scope, [], { branch: 'keel/configure' });
    mockCommit(drained.scope, 1, { branch: 'keel/configure' });
    const opened = mockOpenPull(drained.scope, 3);

    const results = await runJobs(Date.now() + 2 * HOUR);

    expect(opened).toMatchObject([{ title: 'Configure Keel', head: 'keel/configure', base: DEFAULT_BRANCH }]);
    expect(results[QUEUE_JOB]).toEqual({ 'nothing-to-repair': 1, onboarding: 1 });
  });
  it('stays queued when GitHub fails on something transient, and is opened by the next drain', async () => {
    await queueRepair(
      keel.keel.store,
      {
        repositoryId: REPOSITORY_ID,
        installationId: INSTALLATION_ID,
        owner: 'Codertocat',
        name: 'Hello-World',
        trigger: 'installation',
      },
      Date.now() - HOUR,
    );
    const failing = recordedGitHub();
    mockTokens(failing.scope);
    mockConfig(failing.scope, null);
    failing.scope.get(REPO_PATH).reply(200, { default_branch: DEFAULT_BRANCH });
    mockListing(failing.scope, []);
    mockPulls(failing.scope, []);
    // GitHub's rate limit answers the onboarding's first request.
    failing.scope
      .get(`${REPO_PATH}/pulls`)
      .query((query) => query.head === 'Codertocat:keel/configure')
      .reply(
        403,
        { message: 'API rate limit exceeded for installation ID 957387.' },
        { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + 600) },
      );

    const first = Date.now();
    expect((await runJobs(first))[QUEUE_JOB]).toEqual({ 'nothing-to-repair': 1, failed: 1 });
    const queue = await keel.keel.store.db.selectFrom('repair_queue').select(['repository_id', 'trigger']).execute();
    expect(queue.map((row) => [Number(row.repository_id), row.trigger])).toEqual([[REPOSITORY_ID, 'installation']]);

    const drained = recordedGitHub();
    mockConfig(drained.scope, null);
    drained.scope.get(REPO_PATH).reply(200, { default_branch: DEFAULT_BRANCH });
    mockListing(drained.scope, [], { notModified: true, ifNoneMatch: '"listing-1"' });
    mockPulls(drained.scope, [], { notModified: true, ifNoneMatch: '"pulls-1"' });
    mockPulls(drained.scope, [], { branch: 'keel/configure' });
    mockCommit(drained.scope, 1, { branch: 'keel/configure' });
    const opened = mockOpenPull(drained.scope, 3);

    const results = await runJobs(first + HOUR, [QUEUE_JOB]);

    expect(opened).toMatchObject([{ title: 'Configure Keel', head: 'keel/configure', base: DEFAULT_BRANCH }]);
    expect(results[QUEUE_JOB]).toEqual({ 'nothing-to-repair': 1, onboarding: 1 });
  });
});

describe('dry-run reports', () => {
  it('are deleted after 30 days: their signed page then answers 404', async () => {
    const report = {
      installationId: INSTALLATION_ID,
      repositoryId: REPOSITORY_ID,
      repository: 'Codertocat/Hello-World',
      findings: [],
    };
    const old = await saveReport(keel.keel.store, report, NOW - 31 * DAY);
    const recent = await saveReport(keel.keel.store, report, NOW - 29 * DAY);
    const page = (id: string) => fetch(`${keel.url}${signPath(keel.config.linkSigningKey, 'repair', id)}`);
    expect((await page(old)).status).toBe(200);

    const results = await runJobs(NOW);

    expect(results[REPORT_RETENTION_JOB]).toEqual({ deleted: 1, actionFacts: 0 });
    expect((await page(old)).status).toBe(404);
    expect((await page(recent)).status).toBe(200);
  });
});

describe('action facts', () => {
  it('are deleted once no scan or audit has read them from GitHub for longer than they are trusted, plus a margin', async () => {
    const { store } = keel.keel;
    const facts = { using: 'node20', target: null };
    // Repair's: trusted 7 days (SHA pins for ever), deleted after 30.
    await saveActionFacts(store, 'someone/deploy@v2', facts, NOW - 31 * DAY);
    await saveActionFacts(store, `someone/deploy@${'a'.repeat(40)}`, facts, NOW - 31 * DAY);
    await saveActionFacts(store, 'someone/build@v1', facts, NOW - 29 * DAY);
    // The workflow audit's: trusted 6 hours, deleted after a day and 6 hours.
    const audit = (uses: string, checkedAt: number) =>
      store.db
        .insertInto('repair_action_facts')
        .values({ uses, facts: JSON.stringify({ ok: true, value: [] }), checked_at: checkedAt })
        .execute();
    await audit('pr-checks:v3:advisories:github.com:someone/deploy', NOW - 31 * HOUR);
    await audit('pr-checks:v2:refs:github.com:someone/deploy', NOW - 2 * DAY);
    await audit('pr-checks:v3:refs:github.com:someone/deploy', NOW - 29 * HOUR);

    const results = await runJobs(NOW, [REPORT_RETENTION_JOB]);

    expect(results[REPORT_RETENTION_JOB]).toEqual({ deleted: 0, actionFacts: 4 });
    const left = await store.db.selectFrom('repair_action_facts').select('uses').orderBy('uses').execute();
    expect(left.map((row) => row.uses)).toEqual(['pr-checks:v3:refs:github.com:someone/deploy', 'someone/build@v1']);
  });
});
