import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { connectionPlugin } from '../../src/connection/plugin.js';
import app from '../../fixtures/connection/app.json' with { type: 'json' };
import { githubApi, useGitHubMock } from '../helpers/github-mock.js';
import { startKeel, type TestKeel } from '../helpers/keel.js';
import { runAgainst } from './run-cli.js';

useGitHubMock();

let keel: TestKeel | undefined;
afterEach(async () => {
  await keel?.stop();
  keel = undefined;
});

function start(env: Record<string, string> = {}) {
  return startKeel({ env, plugins: [connectionPlugin({ background: false, githubRetries: 0 })] });
}

describe('keel verify with no installations checks the app credentials against GitHub (GET /app)', () => {
  it('exits 1 naming the cause and the remedy when GitHub knows no app for APP_ID', async () => {
    keel = await start({ APP_ID: '9999' });
    githubApi().get('/app').reply(404, { message: 'Integration not found' });
    const { code, stdout } = await runAgainst(keel, ['verify']);
    expect([code, stdout.split('\n')]).toEqual([
      1,
      [
        'fail app-credentials: api.github.com knows no GitHub App for this APP_ID and private key (GET /app answered 404).',
        expect.stringMatching(
          /^ {2}fix app-credentials: Set APP_ID to the numeric App ID shown on the app's settings page/,
        ),
        'GitHub does not accept Keel: fix the app credentials above, then run keel verify again.',
        '',
      ],
    ]);
  });

  it('exits 1 when GitHub rejects the private key', async () => {
    keel = await start();
    githubApi().get('/app').reply(401, { message: 'A JSON web token could not be decoded' });
    const { code, stdout } = await runAgainst(keel, ['verify']);
    expect([code, stdout]).toEqual([1, expect.stringContaining('fix app-credentials: Check APP_ID and PRIVATE_KEY')]);
  });

  it('exits 1 naming the GitHub Enterprise host it cannot reach', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise<void>((resolve) => server.close(() => resolve()));
    keel = await start({ GHE_HOST: `127.0.0.1:${port}`, GHE_PROTOCOL: 'http' });
    const { code, stdout } = await runAgainst(keel, ['verify']);
    expect([code, stdout.split('\n')[0]]).toEqual([
      1,
      `fail app-credentials: Connection to 127.0.0.1:${port} failed (ECONNREFUSED).`,
    ]);
  });

  it('exits 0 when GitHub accepts the app, and says to install it', async () => {
    keel = await start();
    githubApi().get('/app').reply(200, app);
    const { code, stdout } = await runAgainst(keel, ['verify']);
    expect([code, stdout.trim().split('\n').at(-1)]).toEqual([
      0,
      'No installations yet: install the app on an account, then run keel verify.',
    ]);
  });

  it('prints the app check as JSON with --json', async () => {
    keel = await start();
    githubApi().get('/app').reply(404, { message: 'Integration not found' });
    const { code, stdout } = await runAgainst(keel, ['verify', '--json']);
    expect([code, JSON.parse(stdout)]).toEqual([
      1,
      {
        app: { ok: false, checks: [expect.objectContaining({ name: 'app-credentials', status: 'fail' })] },
        installations: [],
      },
    ]);
  });
});
