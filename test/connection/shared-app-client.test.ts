/**
 * Probot hands every caller the same app client (`probot.auth()` without an installation id), so
 * a caller that needs no retries or a deadline must put its hooks on a view, never on that client:
 * otherwise one /readyz or one console action would leave every later app request (token mints
 * included) without retries.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { verifyAppNow } from '../../src/connection/verify-app-now.js';
import app from '../../fixtures/connection/app.json' with { type: 'json' };
import { githubApi, useGitHubMock } from '../helpers/github-mock.js';
import { startKeel, type TestKeel } from '../helpers/keel.js';

useGitHubMock();

let keel: TestKeel | undefined;
afterEach(async () => {
  await keel?.stop();
  keel = undefined;
});

describe('the app client Probot shares between callers', () => {
  it('still retries a 502 after an interactive GET /app check ran on it', async () => {
    keel = await startKeel();
    githubApi().get('/app').reply(200, app);
    expect((await verifyAppNow(keel.keel)).status).toBe('pass');

    githubApi().get('/app/installations').reply(502, { message: 'Bad Gateway' });
    githubApi().get('/app/installations').reply(200, []);
    const shared = await keel.keel.probot.auth();
    const { data } = await shared.request('GET /app/installations');
    expect(data).toEqual([]);
  });
});
