/**
 * An admin's switches reach GitHub: set through the JSON API, honoured by the capabilities. No
 * GitHub request is mocked here, so any request Keel made would fail the test.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as ci from '../../fixtures/ci/payloads.js';
import * as pr from '../../fixtures/pr-checks/payloads.js';
import { ciPlugin } from '../../src/ci/plugin.js';
import { prChecksPlugin } from '../../src/pr-checks/plugin.js';
import { useGitHubMock } from '../helpers/github-mock.js';
import { startKeel, type TestKeel } from '../helpers/keel.js';
import { seedInstallation } from './seed.js';

useGitHubMock();

let keel: TestKeel | undefined;
afterEach(() => keel?.stop());

async function deliver(event: string, payload: unknown): Promise<{ status: string }> {
  expect((await keel!.send(event, payload)).status).toBe(202);
  await keel!.keel.worker.idle();
  const [delivery] = (await (await keel!.api('/api/deliveries?limit=1')).json()) as { status: string }[];
  return delivery ?? { status: 'none' };
}

describe('services and exclusions set through the API', () => {
  it('a pull request on an excluded repository gets no status', async () => {
    keel = await startKeel({ plugins: [prChecksPlugin()], env: { KEEL_PUBLIC_URL: 'https://keel.example.com' } });
    await seedInstallation(keel.keel.store, { id: pr.INSTALLATION_ID, login: pr.OWNER, type: 'User' });
    const put = await keel.api(`/api/installations/${pr.INSTALLATION_ID}/exclusions`, {
      method: 'PUT',
      body: JSON.stringify({ rules: ['hello-*'] }),
    });
    expect(put.status).toBe(200);
    expect(await deliver('pull_request', pr.pullRequestPayload('opened'))).toMatchObject({ status: 'processed' });
    expect(await keel.keel.store.db.selectFrom('pr_check_reports').select('id').execute()).toEqual([]);
  });

  it('a failed run gets no diagnosis, status, comment or issue once ci is switched off', async () => {
    keel = await startKeel({ plugins: [ciPlugin()], env: { KEEL_PUBLIC_URL: 'https://keel.example.com' } });
    await seedInstallation(keel.keel.store, { id: ci.INSTALLATION_ID, login: ci.OWNER });
    const put = await keel.api(`/api/installations/${ci.INSTALLATION_ID}/services`, {
      method: 'PUT',
      body: JSON.stringify({ ci: false }),
    });
    expect(put.status).toBe(200);
    expect(await deliver('workflow_run', ci.workflowRunCompleted())).toMatchObject({ status: 'processed' });
    expect(await keel.keel.store.db.selectFrom('ci_runs').select('id').execute()).toEqual([]);
  });
});
