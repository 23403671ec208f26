#!/usr/bin/env node
// The production path, end to end: a copy of the package with only dist/ built, installed with
// `npm ci --omit=dev`, started with `node dist/main.js` against a stand-in GitHub API on loopback,
// must answer /readyz with 200 and exit 0 on SIGTERM. CI runs it after the tests (`npm run smoke`).
import { spawn, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'keel-production-'));
const deadline = (ms, what) =>
  new Promise((_, reject) =>
    setTimeout(() => reject(new Error(`${what} took longer than ${ms / 1000} s`)), ms).unref(),
  );

function fail(message) {
  console.error(`smoke: ${message}`);
  process.exitCode = 1;
}

async function listenOnFreePort(server) {
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server.address().port;
}

async function main() {
  for (const entry of ['package.json', 'package-lock.json', 'app.yml', 'bin', 'dist']) {
    cpSync(join(root, entry), join(work, entry), { recursive: true });
  }
  console.log(`smoke: npm ci --omit=dev in ${work}`);
  const install = spawnSync('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund'], { cwd: work, stdio: 'inherit' });
  if (install.status !== 0) return fail(`npm ci --omit=dev exited ${install.status}`);

  // GitHub's REST API as far as start-up asks: the app's own record, no installations yet.
  const answers = {
    '/api/v3/app': { id: 1, slug: 'keel', name: 'Keel' },
    '/api/v3/app/installations': [],
    '/api/v3/app/hook/deliveries': [],
  };
  const github = createServer((req, res) => {
    const answer = req.method === 'GET' ? answers[req.url.split('?')[0]] : undefined;
    res.writeHead(answer ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer ?? { message: 'Not Found' }));
  });
  const githubPort = await listenOnFreePort(github);
  const probe = createServer();
  const port = await listenOnFreePort(probe);
  await new Promise((resolve) => probe.close(resolve));

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keel = spawn(process.execPath, ['dist/main.js'], {
    cwd: work,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: {
      PATH: process.env.PATH,
      APP_ID: '1',
      PRIVATE_KEY: privateKey.export({ type: 'pkcs1', format: 'pem' }),
      WEBHOOK_SECRET: 'smoke-test-webhook-secret',
      KEEL_ADMIN_TOKEN: 'smoke-test-admin-token-0123456789',
      GHE_HOST: `127.0.0.1:${githubPort}`,
      GHE_PROTOCOL: 'http',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: 'file:./data/keel.db',
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
    },
  });
  const exited = new Promise((resolve) => keel.once('exit', (code, signal) => resolve({ code, signal })));
  try {
    const ready = await waitForReady(port, 60_000);
    console.log(`smoke: /readyz answered 200: ${ready}`);
    keel.kill('SIGTERM');
    const { code, signal } = await Promise.race([exited, deadline(20_000, 'shutting down after SIGTERM')]);
    if (code !== 0) fail(`node dist/main.js exited ${code ?? signal} after SIGTERM, not 0`);
    else console.log('smoke: production install started, was ready, and stopped cleanly on SIGTERM');
  } catch (error) {
    keel.kill('SIGKILL');
    fail(error.message);
  } finally {
    github.close();
  }
}

async function waitForReady(port, ms) {
  const until = Date.now() + ms;
  let last = 'no answer';
  while (Date.now() < until) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/readyz`);
      const body = await response.text();
      if (response.status === 200) return body;
      last = `${response.status} ${body}`;
    } catch (error) {
      last = error.message;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`/readyz did not answer 200 within ${ms / 1000} s; last: ${last}`);
}

main()
  .catch((error) => fail(error.stack ?? String(error)))
  .finally(() => rmSync(work, { recursive: true, force: true }));
