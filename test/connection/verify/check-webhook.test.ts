import { generateKeyPairSync } from 'node:crypto';
import { ProbotOctokit } from 'probot';
import { describe, expect, it, vi } from 'vitest';
import { checkWebhook } from '../../../src/connection/verify/checks/check-webhook.js';
import { githubApi, useGitHubMock } from '../../helpers/github-mock.js';
import hookConfig from '../../../fixtures/connection/hook-config.json' with { type: 'json' };
import hookDeliveries from '../../../fixtures/connection/hook-deliveries.json' with { type: 'json' };

useGitHubMock();

const { privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
});
const quiet = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
const appOctokit = new ProbotOctokit({
  auth: { appId: 1, privateKey },
  retry: { enabled: false },
  throttle: { enabled: false },
  log: quiet,
});
const [opened, completed] = hookDeliveries;

function run(knownDeliveryIds = async (guids: string[]) => new Set(guids)) {
  return checkWebhook({
    appOctokit,
    installationId: 42,
    apiHost: 'api.github.com',
    knownDeliveryIds,
    now: new Date('2025-06-01T12:00:00Z'),
  });
}

function mockHook(config: object = hookConfig, deliveries: object[] = hookDeliveries) {
  githubApi()
    .get('/app/hook/config')
    .reply(200, config)
    .get('/app/hook/deliveries')
    .query({ per_page: 100 })
    .reply(200, deliveries);
}

describe('checkWebhook', () => {
  it('passes for a json webhook with verified TLS whose deliveries were all stored', async () => {
    mockHook();
    expect((await run()).check).toEqual({
      name: 'webhook',
      status: 'pass',
      finding:
        'Webhook https://keel.example.com/api/github/webhooks (json, TLS verified); 2 deliveries in the last 24 hours.',
      remedy: '',
    });
  });

  it('fails when the app has no webhook URL', async () => {
    mockHook({ ...hookConfig, url: '' });
    expect((await run()).check).toMatchObject({
      status: 'fail',
      finding: 'The app has no webhook URL: GitHub sends Keel no events.',
    });
  });

  it('warns when GitHub does not verify the webhook certificate', async () => {
    mockHook({ ...hookConfig, insecure_ssl: '1' });
    expect((await run()).check).toMatchObject({
      status: 'warn',
      finding: expect.stringContaining('GitHub does not verify the TLS certificate of the webhook URL'),
    });
  });

  it('warns that a form content type switches event-driven capabilities off', async () => {
    mockHook({ ...hookConfig, content_type: 'form' });
    expect((await run()).check).toMatchObject({
      status: 'warn',
      disables: ['pr-checks', 'ci', 'repair', 'commands'],
    });
  });

  it('lists failed deliveries with their status codes', async () => {
    mockHook(hookConfig, [
      { ...opened, status_code: 502 },
      { ...completed, status_code: 0 },
    ]);
    const { check, deliveries } = await run();
    expect([check.status, check.finding, deliveries?.failed.map((d) => d.guid)]).toEqual([
      'warn',
      expect.stringContaining('2 failed (502 ×1, 0 ×1)'),
      [opened?.guid, completed?.guid],
    ]);
  });

  it('does not count a failed delivery that a redelivery fixed', async () => {
    const redelivered = {
      ...opened,
      id: 1,
      redelivery: true,
      delivered_at: '2025-06-01T11:45:00Z',
    };
    mockHook(hookConfig, [redelivered, { ...opened, status_code: 502 }]);
    expect((await run()).deliveries?.failed).toEqual([]);
  });

  it('warns about a delivery that timed out at GitHub even though a redelivery healed it', async () => {
    const redelivered = { ...opened, id: 2, redelivery: true, delivered_at: '2025-06-01T11:45:00Z' };
    const timedOut = { ...opened, status: 'timed out', status_code: 0, duration: 10.01 };
    mockHook(hookConfig, [redelivered, timedOut, completed!]);
    const { check, deliveries } = await run();
    expect([check.status, check.finding, check.remedy, deliveries?.healed?.map((d) => d.guid)]).toEqual([
      'warn',
      'Webhook https://keel.example.com/api/github/webhooks (json, TLS verified); 2 deliveries in the last 24 hours; 1 timed out, redelivered.',
      expect.stringContaining('it gives up after 10 seconds'),
      [opened?.guid],
    ]);
  });

  it('names the status Keel answered when a healed delivery failed another way', async () => {
    const redelivered = { ...opened, id: 2, redelivery: true, delivered_at: '2025-06-01T11:45:00Z' };
    mockHook(hookConfig, [redelivered, { ...opened, status: 'Invalid HTTP Response: 502', status_code: 502 }]);
    expect((await run()).check.finding).toContain('1 answered 502, redelivered');
  });

  it('warns about a receiver that answers in 5 seconds or more, before GitHub gives up at 10', async () => {
    mockHook(hookConfig, [{ ...opened, duration: 7.5 }, completed!]);
    expect((await run()).check).toMatchObject({
      status: 'warn',
      finding: expect.stringContaining('1 answered in 5 seconds or more'),
    });
  });

  it('ignores deliveries older than 24 hours', async () => {
    mockHook(hookConfig, [{ ...opened, status_code: 502, delivered_at: '2025-05-30T12:00:00Z' }]);
    expect((await run()).check.status).toBe('pass');
  });

  it('asks the store once for every delivered guid of this installation', async () => {
    mockHook();
    const knownDeliveryIds = vi.fn(async (guids: string[]) => new Set(guids));
    await run(knownDeliveryIds);
    expect(knownDeliveryIds.mock.calls).toEqual([[[opened?.guid, completed?.guid]]]);
  });

  it('warns about deliveries GitHub sent that Keel never stored', async () => {
    mockHook();
    const { check, deliveries } = await run(async () => new Set([opened?.guid ?? '']));
    expect([check.finding, deliveries?.unrecorded.map((d) => d.guid)]).toEqual([
      expect.stringContaining('1 delivered but never stored by Keel'),
      [completed?.guid],
    ]);
  });

  it('warns when the store cannot be asked', async () => {
    mockHook();
    const { check } = await run(async () => {
      throw new Error('database is locked');
    });
    expect(check).toMatchObject({
      status: 'warn',
      finding: expect.stringContaining('could not compare with stored deliveries: database is locked'),
    });
  });
});
