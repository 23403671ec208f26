/**
 * The CLI as the README tells people to run it from a clone: `npm run keel -- …` and
 * `./bin/keel.js …` (the compiled CLI in dist/, built by `npm install` and by `npm test`).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionPlugin } from '../../src/connection/plugin.js';
import { assertBuilt, ROOT } from '../helpers/built.js';
import { startKeel, TEST_ADMIN_TOKEN, type TestKeel } from '../helpers/keel.js';

let keel: TestKeel;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  assertBuilt();
  keel = await startKeel({ plugins: [connectionPlugin({ background: false, githubRetries: 0 })] });
  env = { PATH: process.env.PATH, KEEL_URL: keel.url, KEEL_ADMIN_TOKEN: TEST_ADMIN_TOKEN };
});
afterAll(() => keel.stop());

describe('the documented command lines', () => {
  it('npm run keel -- status --json answers from the running Keel', async () => {
    const { stdout } = await promisify(execFile)('npm', ['run', '--silent', 'keel', '--', 'status', '--json'], {
      cwd: ROOT,
      env,
    });
    expect(JSON.parse(stdout)).toEqual([]);
  });

  it('./bin/keel.js deliveries --json answers from the running Keel', async () => {
    const { stdout } = await promisify(execFile)('./bin/keel.js', ['deliveries', '--json'], { cwd: ROOT, env });
    expect(JSON.parse(stdout)).toEqual([]);
  });
});
