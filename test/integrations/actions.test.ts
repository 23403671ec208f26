import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { insertDeliveries } from '../../src/inbox/deliveries.js';
import { createIntegrationActions, type IntegrationActions } from '../../src/integrations/actions.js';
import { githubApi, useGitHubMock } from '../helpers/github-mock.js';
import { startKeel, type TestKeel } from '../helpers/keel.js';
import { mockVerification } from '../connection/mock-verification.js';
import { seedInstallation } from './seed.js';

useGitHubMock();

let keel: TestKeel;
let actions: IntegrationActions;
beforeEach(async () => {
  keel = await startKeel();
  await seedInstallation(keel.keel.store, { id: 101, login: 'acme' });
  await seedInstallation(keel.keel.store, { id: 102, login: 'globex' });
  actions = createIntegrationActions(keel.keel);
});
afterEach(() => keel.stop());

/** Five deliveries for 101 (one dead, after 2 s), then one for 102; oldest first. */
async function storeDeliveries(): Promise<void> {
  const at = Date.parse('2026-11-30T10:00:00Z');
  const delivery = (id: string, installationId: number, index: number) => ({
    id,
    event: index % 2 === 0 ? 'pull_request' : 'push',
    action: null,
    installationId,
    repository: 'acme/api',
    payload: Buffer.from('{}'),
    status: 'ignored' as const,
    receivedAt: at + index,
  });
  await insertDeliveries(keel.keel.store, [
    ...['d1', 'd2', 'd3', 'd4', 'd5'].map((id, index) => delivery(id, 101, index)),
    delivery('g1', 102, 5),
  ]);
  await keel.keel.store.db
    .updateTable('deliveries')
    .set({ status: 'dead', attempts: 5, error: 'GitHub answered 502', processed_at: at + 2 + 2_000 })
    .where('id', '=', 'd3')
    .execute();
}

describe('deliveries', () => {
  it('pages an integration’s deliveries newest first by cursor, with attempts, last error and duration', async () => {
    await storeDeliveries();
    const first = await actions.deliveries({ integrationId: '101', limit: 2 });
    expect(first.items.map((item) => item.id)).toEqual(['d5', 'd4']);
    const second = await actions.deliveries({ integrationId: '101', limit: 2, cursor: first.nextCursor ?? '' });
    expect(second.items.map((item) => item.id)).toEqual(['d3', 'd2']);
    expect(second.items[0]).toMatchObject({
      status: 'dead',
      attempts: 5,
      error: 'GitHub answered 502',
      durationMs: 2_000,
    });
    const last = await actions.deliveries({ integrationId: '101', limit: 2, cursor: second.nextCursor ?? '' });
    expect(last).toMatchObject({ items: [{ id: 'd1' }], nextCursor: null });
  });

  it('filters by status and event', async () => {
    await storeDeliveries();
    expect((await actions.deliveries({ status: 'dead', limit: 10 })).items.map((item) => item.id)).toEqual(['d3']);
    expect(
      (await actions.deliveries({ integrationId: '101', event: 'push', limit: 10 })).items.map((item) => item.id),
    ).toEqual(['d4', 'd2']);
  });

  it('retries a dead delivery, recorded in the audit log', async () => {
    await storeDeliveries();
    expect(await actions.retryDelivery('d3', 'mona')).toMatchObject({ id: 'd3', status: 'queued', attempts: 0 });
    const audit = await actions.audit({ integrationId: '101', limit: 10 });
    expect(audit.items).toMatchObject([{ actor: 'mona', action: 'delivery.retry', detail: { delivery: 'd3' } }]);
  });

  it('refuses to retry a delivery that did not fail, saying which can be', async () => {
    await storeDeliveries();
    await expect(actions.retryDelivery('d1', 'mona')).rejects.toMatchObject({
      status: 409,
      remedy: 'Retry a delivery whose status is failed or dead.',
    });
  });
});

describe('rename, uninstall and the audit log', () => {
  it('renames an integration', async () => {
    expect((await actions.rename('101', '  Acme production ', 'mona')).name).toBe('Acme production');
  });

  it('uninstalls the app from the account on GitHub', async () => {
    githubApi().delete('/app/installations/101').reply(204);
    expect(await actions.uninstall('101', 'mona')).toEqual({ id: '101', uninstalled: true });
  });

  it('pages the audit log newest first: who did what, and when', async () => {
    await actions.rename('101', 'one', 'mona');
    await actions.setServices('101', { ci: false }, 'mona');
    await actions.setExclusions('101', ['legacy-*'], 'hubot');
    const page = await actions.audit({ integrationId: '101', limit: 2 });
    expect(page.items).toMatchObject([
      { actor: 'hubot', action: 'integration.exclusions', detail: { rules: ['legacy-*'] }, at: expect.any(String) },
      { actor: 'mona', action: 'integration.services' },
    ]);
    const rest = await actions.audit({ integrationId: '101', limit: 2, cursor: page.nextCursor ?? '' });
    expect(rest).toMatchObject({ items: [{ action: 'integration.rename' }], nextCursor: null });
  });
});

describe('test', () => {
  it('answers within its budget when GitHub is slow, and the verification still lands', async () => {
    let release = () => {};
    const hold = new Promise<void>((resolve) => (release = resolve));
    mockVerification({ installationId: 101, account: { login: 'acme', type: 'Organization', id: 1010 }, hold });
    const slow = createIntegrationActions(keel.keel, { testBudgetMs: 50 });
    await expect(slow.test('101', 'mona')).rejects.toMatchObject({ status: 504, code: 'VERIFICATION_TIMEOUT' });
    release();
    for (let tries = 0; tries < 100; tries++) {
      if ((await actions.get('101')).state === 'connected') break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect((await actions.get('101')).state).toBe('connected');
  });
});
