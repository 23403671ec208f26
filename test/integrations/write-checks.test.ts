import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  finishWriteCheck,
  readWriteCheck,
  recordWriteStep,
  startWriteCheck,
  WRITE_CHECK_STALE_MS,
} from '../../src/integrations/write-checks.js';
import { createSqliteStore, type TestStore } from '../helpers/store.js';

const AT = Date.parse('2026-11-30T12:00:00Z');
const PLANNED = [
  { name: 'write:branch', action: 'create branch keel/connection-check from the default branch head' },
  { name: 'write:cleanup', action: 'close the pull request and delete keel/connection-check' },
];

let testStore: TestStore;
beforeEach(async () => {
  testStore = await createSqliteStore();
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
