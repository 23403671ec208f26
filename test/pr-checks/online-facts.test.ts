/** What the handler reads about actions, and for how long it keeps it (a real SQLite store, GitHub mocked). */
import pino from 'pino';
import { ProbotOctokit } from 'probot';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordedAnswers } from '../../fixtures/pr-checks/action-facts.js';
import { gatherActionFacts, FACTS_MAX_AGE_MS } from '../../src/pr-checks/online-facts.js';
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

const databases: [string, () => Promise<TestStore>][] = [['SQLite', createSqliteStore]];
const postgresUrl = process.env.TEST_DATABASE_URL;
if (postgresUrl) databases.push(['Postgres', () => createPostgresStore(postgresUrl)]);

let test: TestStore;
afterEach(() => test.cleanup());

function gather(now: number) {
  const options = { octokit, store: test.store, githubHost: 'api.github.com', now, log: pino({ level: 'silent' }) };
  return gatherActionFacts(options, [
    { repository: REPOSITORY, kind: 'advisories' },
    { repository: REPOSITORY, kind: 'refs' },
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
      now: T0,
      log: pino({ level: 'silent' }),
    };
    const facts = await gatherActionFacts(options, [{ repository: REPOSITORY, kind: 'refs' }]);
    const refs = facts.refs.get(REPOSITORY);
    expect(refs?.ok && refs.value.tags).toHaveLength(10);
    expect(refs?.ok && refs.value.truncated).toBe(true);
  });
});
