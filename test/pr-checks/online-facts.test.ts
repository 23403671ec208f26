/** What the handler reads about actions, and for how long it keeps it (a real SQLite store, GitHub mocked). */
import pino from 'pino';
import { ProbotOctokit } from 'probot';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordedAnswers } from '../../fixtures/pr-checks/action-facts.js';
import { addRepositories } from '../../src/connection/installation-rows.js';
import {
  CAPPED_REASON,
  FACTS_MAX_AGE_MS,
  FAILURE_MAX_AGE_MS,
  gatherActionFacts,
  MAX_ACTIONS_READ,
} from '../../src/pr-checks/online-facts.js';
import { githubApi, useGitHubMock } from '../helpers/github-mock.js';
import { createPostgresStore, createSqliteStore, type TestStore } from '../helpers/store.js';

useGitHubMock();

const octokit = new ProbotOctokit({
  auth: { token: 'ghs_test' },
  retry: { enabled: false },
  throttle: { enabled: false },
});
const REPOSITORY = 'actions/download-artifact';
const T0 = Date.parse('2026-06-01T00:00:00Z');
const INSTALLATION = 42;

const databases: [string, () => Promise<TestStore>][] = [['SQLite', createSqliteStore]];
const postgresUrl = process.env.TEST_DATABASE_URL;
if (postgresUrl) databases.push(['Postgres', () => createPostgresStore(postgresUrl)]);

let test: TestStore;
afterEach(() => test.cleanup());

function gather(now: number, installationId = INSTALLATION) {
  const options = {
    octokit,
    store: test.store,
    githubHost: 'api.github.com',
    installationId,
    now,
    log: pino({ level: 'silent' }),
  };
  return gatherActionFacts(options, [
    { repository: REPOSITORY, kind: 'advisories', audits: ['known-vulnerable-actions'] },
    { repository: REPOSITORY, kind: 'refs', audits: ['ref-confusion'] },
  ]);
}

function mockReads(): void {
  const answers = recordedAnswers(REPOSITORY);
  const scope = githubApi();
  scope
    .get('/advisories')
    .query({ ecosystem: 'actions', affects: REPOSITORY, per_page: 100 })
    .reply(200, answers.advisories);
  scope.get(`/repos/${REPOSITORY}/tags`).query({ per_page: 100 }).reply(200, answers.tags);
  scope.get(`/repos/${REPOSITORY}/branches`).query({ per_page: 100 }).reply(200, answers.branches);
}

describe.each(databases)('action facts kept in the store (%s)', (_name, createStore) => {
  beforeEach(async () => {
    test = await createStore();
  });

  it('are read from GitHub once, reused for six hours, then read again', async () => {
    mockReads();
    const first = await gather(T0);
    expect(first.advisories.get(REPOSITORY)).toMatchObject({ ok: true, value: [{ ghsaId: 'GHSA-cxww-7g56-2vh6' }] });
    expect(await gather(T0 + FACTS_MAX_AGE_MS)).toEqual(first);
    mockReads();
    expect(await gather(T0 + FACTS_MAX_AGE_MS + 1)).toEqual(first);
  });
});

describe.each(databases)('a failed read kept in the store (%s)', (_name, createStore) => {
  beforeEach(async () => {
    test = await createStore();
  });

  function mockFailures(status: number): void {
    const scope = githubApi();
    const body = { message: status === 404 ? 'Not Found' : 'Bad Gateway' };
    scope.get('/advisories').query({ ecosystem: 'actions', affects: REPOSITORY, per_page: 100 }).reply(status, body);
    scope.get(`/repos/${REPOSITORY}/tags`).query({ per_page: 100 }).reply(status, body);
  }

  it('is not asked again for 15 minutes after a 5xx, then is, and a recovery is seen', async () => {
    mockFailures(502);
    const first = await gather(T0);
    expect(first.refs.get(REPOSITORY)).toEqual({
      ok: false,
      reason: 'GitHub failed (502) while reading its branches and tags. Keel asks again after 15 minutes.',
    });
    expect(await gather(T0 + FAILURE_MAX_AGE_MS.transient)).toEqual(first);
    mockReads();
    const recovered = await gather(T0 + FAILURE_MAX_AGE_MS.transient + 1);
    expect(recovered.advisories.get(REPOSITORY)).toMatchObject({ ok: true });
    expect(recovered.refs.get(REPOSITORY)).toMatchObject({ ok: true });
  });

  it('keeps a rate limit to the installation that hit it: another installation still asks GitHub', async () => {
    const scope = githubApi();
    const limited = { message: 'API rate limit exceeded for installation ID 42.' };
    const headers = { 'x-ratelimit-remaining': '0' };
    scope
      .get('/advisories')
      .query({ ecosystem: 'actions', affects: REPOSITORY, per_page: 100 })
      .reply(403, limited, headers);
    scope.get(`/repos/${REPOSITORY}/tags`).query({ per_page: 100 }).reply(403, limited, headers);
    const first = await gather(T0);
    expect(first.refs.get(REPOSITORY)).toEqual({
      ok: false,
      reason:
        "This installation's GitHub rate limit was reached while reading its branches and tags. Keel asks again after 15 minutes.",
    });
    expect(await gather(T0 + 60_000)).toEqual(first);
    mockReads();
    const other = await gather(T0 + 60_000, INSTALLATION + 1);
    expect(other.refs.get(REPOSITORY)).toMatchObject({ ok: true });
    // Once another installation has read the facts, the limited one reads them from the store too.
    expect((await gather(T0 + 120_000)).refs.get(REPOSITORY)).toMatchObject({ ok: true });
  });

  it('is not asked again for an hour after a 404', async () => {
    mockFailures(404);
    const first = await gather(T0);
    expect(first.refs.get(REPOSITORY)).toMatchObject({ ok: false, reason: expect.stringContaining('404') });
    expect(await gather(T0 + FAILURE_MAX_AGE_MS.notFound)).toEqual(first);
    mockFailures(404);
    expect(await gather(T0 + FAILURE_MAX_AGE_MS.notFound + 1)).toEqual(first);
  });
});

describe('an action in another private repository of the installation', () => {
  beforeEach(async () => {
    test = await createSqliteStore();
  });

  it('is not asked about, and the reason says the token does not cover it', async () => {
    await addRepositories(test.store, INSTALLATION, [{ id: 7, fullName: 'Actions/Download-Artifact', private: true }]);
    const facts = await gather(T0);
    const reason =
      "Keel cannot read actions/download-artifact: private action repository outside this pull request's token. Pin it by commit SHA and review its changes there.";
    expect(facts.refs.get(REPOSITORY)).toEqual({ ok: false, reason });
    expect(facts.advisories.get(REPOSITORY)).toEqual({ ok: false, reason });
  });

  it("is asked about when it belongs to another installation: that installation's repositories say nothing here", async () => {
    await addRepositories(test.store, INSTALLATION + 1, [{ id: 7, fullName: REPOSITORY, private: true }]);
    mockReads();
    expect((await gather(T0)).refs.get(REPOSITORY)).toMatchObject({ ok: true });
  });
});

describe('action refs', () => {
  beforeEach(async () => {
    test = await createSqliteStore();
  });

  it('follows Link pages and marks a tag list cut at ten pages as truncated', async () => {
    const scope = githubApi();
    const page = (n: number) => [{ name: `v0.${n}.0`, commit: { sha: String(n % 10).repeat(40) } }];
    const link = (n: number) => ({
      link: `<https://api.github.com/repositories/1/tags?per_page=100&page=${n}>; rel="next"`,
    });
    scope.get(`/repos/${REPOSITORY}/tags`).query({ per_page: 100 }).reply(200, page(1), link(2));
    for (let n = 2; n <= 10; n += 1) {
      scope
        .get('/repositories/1/tags')
        .query({ per_page: 100, page: n })
        .reply(200, page(n), link(n + 1));
    }
    scope.get(`/repos/${REPOSITORY}/branches`).query({ per_page: 100 }).reply(200, []);
    const options = {
      octokit,
      store: test.store,
      githubHost: 'api.github.com',
      installationId: INSTALLATION,
      now: T0,
      log: pino({ level: 'silent' }),
    };
    const facts = await gatherActionFacts(options, [
      { repository: REPOSITORY, kind: 'refs', audits: ['ref-confusion'] },
    ]);
    const refs = facts.refs.get(REPOSITORY);
    expect(refs?.ok && refs.value.tags).toHaveLength(10);
    expect(refs?.ok && refs.value.truncated).toBe(true);
  });
});

describe('the actions read for one pull request', () => {
  beforeEach(async () => {
    test = await createSqliteStore();
  });

  it(`are at most ${MAX_ACTIONS_READ} read from GitHub; the rest are skipped with the reason, those in the store still count`, async () => {
    const options = {
      octokit,
      store: test.store,
      githubHost: 'api.github.com',
      installationId: INSTALLATION,
      now: T0,
      log: pino({ level: 'silent' }),
    };
    const need = (index: number) => ({
      repository: `acme/action-${String(index).padStart(2, '0')}`,
      kind: 'advisories' as const,
      audits: ['known-vulnerable-actions' as const],
    });
    const mockAdvisories = (from: number, to: number) => {
      const scope = githubApi();
      for (let index = from; index <= to; index++) {
        scope
          .get('/advisories')
          .query({ ecosystem: 'actions', affects: need(index).repository, per_page: 100 })
          .reply(200, []);
      }
    };
    // Read by an earlier pull request: in the store, fresh.
    mockAdvisories(0, 0);
    await gatherActionFacts(options, [need(0)]);

    mockAdvisories(1, MAX_ACTIONS_READ);
    const needs = Array.from({ length: MAX_ACTIONS_READ + 3 }, (_, index) => need(index));
    const facts = await gatherActionFacts({ ...options, now: T0 + 60_000 }, needs);

    expect([...facts.advisories.values()].filter((fact) => fact.ok)).toHaveLength(MAX_ACTIONS_READ + 1);
    const capped = needs.slice(MAX_ACTIONS_READ + 1).map(({ repository }) => repository);
    expect(facts.skipped).toEqual(
      capped.map((action) => ({ audit: 'known-vulnerable-actions', action, reason: CAPPED_REASON(action) })),
    );
    expect(CAPPED_REASON('acme/action-31')).toBe(
      `Keel did not read acme/action-31 this time: the pull request names more than ${MAX_ACTIONS_READ} actions it has not read recently, and it reads ${MAX_ACTIONS_READ} per push. The next push reads the rest.`,
    );
  });
});
