import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  finishWriteCheck,
  listWriteChecks,
  readWriteCheck,
  recordWriteStep,
  startWriteCheck,
  WRITE_CHECK_STALE_MS,
} from '../../src/integrations/write-checks.js';
import { createPostgresStore, createSqliteStore, type TestStore } from '../helpers/store.js';

const AT = Date.parse('2026-11-30T12:00:00Z');
const PLANNED = [
  { name: 'write:branch', action: 'create branch keel/connection-check from the default branch head' },
  { name: 'write:cleanup', action: 'close the pull request and delete keel/connection-check' },
];

const POSTGRES = process.env.TEST_DATABASE_URL;
const STORES: [string, () => Promise<TestStore>][] = [
  ['SQLite', createSqliteStore],
  ...(POSTGRES ? [['Postgres', () => createPostgresStore(POSTGRES)] as [string, () => Promise<TestStore>]] : []),
];

describe.each(STORES)('on %s', (_name, createStore) => {
  let testStore: TestStore;
  beforeEach(async () => {
    testStore = await createStore();
    await startWriteCheck(testStore.store, {
      id: 'run-1',
      installationId: 42,
      repository: 'acme/api',
      actor: 'octocat',
      planned: PLANNED,
      now: AT,
    });
  });
  afterEach(() => testStore.cleanup());

  const statuses = async (now = AT) =>
    (await readWriteCheck(testStore.store, 42, 'run-1', now))?.steps.map((step) => `${step.name}:${step.status}`);

  describe('a recorded pull request verification', () => {
    it('starts with the read checks running and every write pending', async () => {
      expect(await statuses()).toEqual(['connection:running', 'write:branch:pending', 'write:cleanup:pending']);
    });

    it('marks the read checks done once the first write starts', async () => {
      await recordWriteStep(testStore.store, 'run-1', { name: 'write:branch', status: 'running' }, AT + 1);
      expect(await statuses()).toEqual(['connection:pass', 'write:branch:running', 'write:cleanup:pending']);
    });

    it('takes every step from the stored report when it finishes, skipping what never ran', async () => {
      await finishWriteCheck(
        testStore.store,
        'run-1',
        {
          state: 'unauthorized',
          checks: [
            { name: 'token', status: 'fail', finding: 'GitHub refused the token.', remedy: 'Reinstall the app.' },
            { name: 'write:branch', status: 'skip', finding: 'no installation token', remedy: '' },
          ],
        },
        AT + 5,
      );
      const run = await readWriteCheck(testStore.store, 42, 'run-1', AT + 5);
      expect([run?.running, run?.state, run?.steps.map((step) => `${step.name}:${step.status}`)]).toEqual([
        false,
        'unauthorized',
        ['connection:fail', 'write:branch:skip', 'write:cleanup:skip'],
      ]);
      expect(run?.steps[0]).toMatchObject({ finding: 'GitHub refused the token.', remedy: 'Reinstall the app.' });
    });

    it('shows a run its process left behind as interrupted, not running for ever', async () => {
      const later = await readWriteCheck(testStore.store, 42, 'run-1', AT + WRITE_CHECK_STALE_MS + 1);
      expect([later?.running, later?.state]).toEqual([false, 'interrupted']);
      expect((await readWriteCheck(testStore.store, 42, 'run-1', AT + 1000))?.running).toBe(true);
    });

    it('is not found under another integration', async () => {
      expect(await readWriteCheck(testStore.store, 77, 'run-1', AT)).toBeUndefined();
    });
  });

  function startAnother(id: string, now: number, installationId = 42) {
    return startWriteCheck(testStore.store, {
      id,
      installationId,
      repository: 'acme/site',
      actor: 'hubot',
      planned: PLANNED,
      now,
    });
  }

  describe('one pull request verification at a time per integration', () => {
    it('refuses a second run while the first goes on, naming the first and keeping no row of its own', async () => {
      expect(await startAnother('run-2', AT + 1000)).toBe('run-1');
      expect(await readWriteCheck(testStore.store, 42, 'run-2', AT + 1000)).toBeUndefined();
    });

    it('starts one once the first has finished, or was left behind by its process', async () => {
      await finishWriteCheck(testStore.store, 'run-1', { state: 'connected', checks: [] }, AT + 5);
      expect(await startAnother('run-2', AT + 10)).toBeUndefined();
      expect(await startAnother('run-3', AT + 10 + WRITE_CHECK_STALE_MS + 1)).toBeUndefined();
    });

    it('lets another integration run at the same time', async () => {
      expect(await startAnother('run-9', AT + 1000, 77)).toBeUndefined();
    });
  });

  describe('what a run came to', () => {
    it('is running, then passed when no step failed (warnings included)', async () => {
      expect((await readWriteCheck(testStore.store, 42, 'run-1', AT))?.outcome).toBe('running');
      await finishWriteCheck(
        testStore.store,
        'run-1',
        {
          state: 'connected',
          checks: [
            { name: 'rate-limit', status: 'warn', finding: '8% of the quota left.', remedy: 'Wait.' },
            { name: 'write:branch', status: 'pass', finding: 'created', remedy: '' },
            { name: 'write:cleanup', status: 'pass', finding: 'closed', remedy: '' },
          ],
        },
        AT + 5,
      );
      expect((await readWriteCheck(testStore.store, 42, 'run-1', AT + 5))?.outcome).toBe('passed');
    });

    it('passes with a warning when a read check failed but every write went through', async () => {
      await finishWriteCheck(
        testStore.store,
        'run-1',
        {
          state: 'degraded',
          checks: [
            { name: 'permissions', status: 'fail', finding: 'Missing workflows: write.', remedy: 'Grant it.' },
            { name: 'write:branch', status: 'pass', finding: 'created', remedy: '' },
            { name: 'write:cleanup', status: 'pass', finding: 'closed', remedy: '' },
          ],
        },
        AT + 5,
      );
      const run = await readWriteCheck(testStore.store, 42, 'run-1', AT + 5);
      expect([run?.outcome, run?.steps[0]?.status, run?.steps[0]?.finding]).toEqual([
        'passed',
        'warn',
        'Missing workflows: write.',
      ]);
    });

    it('is failed when the verification itself could not run', async () => {
      await finishWriteCheck(
        testStore.store,
        'run-1',
        {
          state: 'unreachable',
          checks: [],
          error: { message: 'GitHub did not answer.', remedy: 'Check the network.' },
        },
        AT + 5,
      );
      expect((await readWriteCheck(testStore.store, 42, 'run-1', AT + 5))?.outcome).toBe('failed');
    });

    it('is interrupted when its process stopped first', async () => {
      expect((await readWriteCheck(testStore.store, 42, 'run-1', AT + WRITE_CHECK_STALE_MS + 1))?.outcome).toBe(
        'interrupted',
      );
    });

    it('is listed newest first with the integration’s other runs', async () => {
      await finishWriteCheck(testStore.store, 'run-1', { state: 'connected', checks: [] }, AT + 5);
      await startAnother('run-2', AT + 10);
      expect(
        (await listWriteChecks(testStore.store, 42, 20, AT + 10)).map((run) => `${run.id}:${run.outcome}`),
      ).toEqual(['run-2:running', 'run-1:passed']);
    });
  });
});
