import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { markReplied, startReply } from '../../src/commands/store.js';
import { acceptFindings, listAcceptances } from '../../src/pr-checks/accepted-findings.js';
import type { PrCheckReport } from '../../src/pr-checks/report.js';
import { createPostgresStore, createSqliteStore, type TestStore } from '../helpers/store.js';

const comment = { repositoryId: 186853002, commentKey: 'issue-comment:1', installationId: 42 };
const report: PrCheckReport = {
  state: 'failure',
  description: '1 finding: 1 secret',
  findings: [
    {
      rule: 'secrets',
      severity: 'failure',
      file: 'a.ts',
      line: 1,
      title: 'GitHub token',
      explanation: 'e',
      fix: 'f',
      evidence: 'ghp_…abcd',
    },
  ],
  notAudited: [],
  filesAudited: 1,
  addedLines: 1,
  filesNotListed: 0,
  configError: null,
};
const pullRequest = { repositoryId: 186853002, pullNumber: 2 };

const databases: [string, () => Promise<TestStore>][] = [['SQLite', createSqliteStore]];
const postgresUrl = process.env.TEST_DATABASE_URL;
if (postgresUrl) databases.push(['Postgres', () => createPostgresStore(postgresUrl)]);

describe.each(databases)('commands storage on %s', (_name, open) => {
  let test: TestStore;
  beforeEach(async () => {
    test = await open();
  });
  afterEach(() => test.cleanup());

  it('tells a new command comment from one started or replied before', async () => {
    expect(await startReply(test.store, comment, 1)).toBe('new');
    expect(await startReply(test.store, comment, 2)).toBe('started');
    await markReplied(test.store, comment, 3);
    expect(await startReply(test.store, comment, 4)).toBe('replied');
    expect(await startReply(test.store, { ...comment, commentKey: 'issue-comment:2' }, 5)).toBe('new');
  });

  it('records who accepted a finding and why, once per finding', async () => {
    const request = { ...pullRequest, installationId: 42, rule: 'secrets' as const, reason: 'fixture' };
    expect(await acceptFindings(test.store, report, { ...request, acceptedBy: 'octocat' }, 10)).toBe(1);
    expect(await acceptFindings(test.store, report, { ...request, acceptedBy: 'hubot' }, 20)).toBe(1);
    expect(await listAcceptances(test.store, pullRequest)).toEqual([
      {
        fingerprint: expect.stringMatching(/^[0-9a-f]{32}$/),
        rule: 'secrets',
        acceptedBy: 'octocat',
        reason: 'fixture',
        acceptedAt: 10,
      },
    ]);
  });
});
