import { describe, expect, it } from 'vitest';
import { diagnoseJobLog } from '../../src/ci/diagnose.js';
import { diagnoseFixture, excerptText } from './diagnose-fixture.js';

async function* linesOf(text: string): AsyncGenerator<string> {
  yield text;
}

const job = {
  id: 7,
  name: 'test',
  conclusion: 'failure',
  steps: [
    { name: 'Set up job', number: 1, conclusion: 'success' },
    { name: 'Run npm test', number: 2, conclusion: 'failure' },
  ],
};

describe('diagnosing tsc', () => {
  it('reads the `file(line,col): error TSnnnn` form tsc prints without a terminal', async () => {
    const diagnosis = await diagnoseFixture('tsc-errors');
    expect(diagnosis).toMatchObject({ kind: 'compile-error', tool: 'tsc', exitCode: 2, failureCount: 3 });
    expect(diagnosis.failures[2]).toEqual({
      file: 'src/user.ts',
      line: 8,
      message: "TS18048: 'user.email' is possibly 'undefined'.",
    });
    expect(diagnosis.excerpt[0]).toBe(
      "src/main.ts(3,23): error TS2322: Type 'string' is not assignable to type 'number'.",
    );
  });
});

describe('diagnosing eslint', () => {
  it('reports errors as lint failures and leaves warnings out', async () => {
    const diagnosis = await diagnoseFixture('eslint-errors');
    expect(diagnosis).toMatchObject({ kind: 'lint', tool: 'eslint', failureCount: 3 });
    expect(diagnosis.failures[0]).toEqual({
      file: 'src/report.js',
      line: 3,
      message: "'unused' is assigned a value but never used (no-unused-vars)",
    });
    expect(excerptText(diagnosis)).toContain('✖ 4 problems (3 errors, 1 warning)');
    expect(excerptText(diagnosis)).not.toContain('no-console');
  });
});

describe('diagnosing package installs', () => {
  it('reports an npm 404 as a dependency install failure, without npm’s boilerplate', async () => {
    const diagnosis = await diagnoseFixture('npm-e404');
    expect(diagnosis).toMatchObject({ kind: 'dependency-install', tool: 'npm' });
    expect(diagnosis.failures[0]?.message).toBe(
      'E404: 404 Not Found - GET https://registry.npmjs.org/keel-nonexistent-pkg-4f9a2c',
    );
    expect(excerptText(diagnosis)).not.toMatch(/complete log|tarball, folder|^npm error 404$/m);
  });

  it('quotes the conflicting peer dependency of an ERESOLVE', async () => {
    const text = excerptText(await diagnoseFixture('npm-eresolve'));
    expect(text).toContain('npm error Found: react@17.0.2');
    expect(text).toContain('npm error peer react@"^18.3.1" from react-dom@18.3.1');
    expect(text).not.toContain('eresolve-report.txt');
  });

  it('reads pnpm and yarn berry errors', async () => {
    const pnpm = await diagnoseFixture('pnpm-fetch-404');
    const yarn = await diagnoseFixture('yarn-berry-404');
    expect(pnpm).toMatchObject({ kind: 'dependency-install', tool: 'pnpm' });
    expect(excerptText(pnpm)).toContain('is not in the npm registry');
    expect(yarn).toMatchObject({
      kind: 'dependency-install',
      tool: 'yarn',
      failures: [{ message: 'YN0001: HTTPError: Response code 404 (Not Found)' }],
    });
  });

  it('does not take a failing `npm test` script for an install failure', async () => {
    const log = [
      '##[group]Run npm test',
      '##[endgroup]',
      'npm error Lifecycle script `test` failed with error:',
      'npm error code 1',
      'npm error path /home/runner/work/app/app',
      'npm error command failed',
      'npm error command sh -c node check.js',
      '##[error]Process completed with exit code 1.',
    ].join('\n');
    const diagnosis = await diagnoseJobLog({ workflow: 'CI', job, logUrl: 'u', lines: linesOf(log) });
    expect(diagnosis.kind).toBe('unknown');
  });
});

describe('diagnosing Docker builds', () => {
  it('names the failing instruction and its Dockerfile line, and sees an install inside it', async () => {
    const diagnosis = await diagnoseFixture('docker-build-npm-ci');
    expect(diagnosis).toMatchObject({
      kind: 'dependency-install',
      tool: 'docker',
      failedStep: { name: 'Run docker/build-push-action@v6' },
    });
    expect(diagnosis.failures[0]).toMatchObject({ file: 'Dockerfile', line: 8 });
    const text = excerptText(diagnosis);
    expect(text).toContain('> RUN npm ci --omit=dev:');
    expect(text).toContain('npm error Missing: express@4.19.2 from lock file');
    expect(text).toContain('8 | >>> RUN npm ci --omit=dev');
    expect(text).not.toMatch(/load build context|sha256|complete log/);
  });
});

describe('the generic fallback', () => {
  it('keeps the first error and the end of a step no parser knows', async () => {
    const diagnosis = await diagnoseFixture('generic-script');
    expect(diagnosis).toMatchObject({
      kind: 'unknown',
      tool: null,
      exitCode: 7,
      failedStep: { name: 'Upload artifacts' },
    });
    expect(diagnosis.failures[0]?.message).toContain('curl: (7) Failed to connect to 127.0.0.1 port 9');
    expect(diagnosis.excerpt.at(-1)).toContain("Couldn't connect to server");
  });

  it('quotes the lines around the last error before the exit code, not the tail of the step', async () => {
    const output = Array.from({ length: 200 }, (_, index) => `line ${index}`);
    output.splice(150, 0, 'fatal: could not read config', '  at config.yml');
    output.splice(10, 0, 'error: retrying the download');
    const log = [
      '##[group]Run npm test',
      '##[endgroup]',
      ...output,
      '##[error]Process completed with exit code 1.',
    ].join('\n');
    const diagnosis = await diagnoseJobLog({ workflow: 'CI', job, logUrl: 'u', lines: linesOf(log) });
    expect(diagnosis.failures[0]?.message).toBe('fatal: could not read config');
    expect(diagnosis.excerpt.slice(0, 5)).toEqual([
      'line 147',
      'line 148',
      'line 149',
      'fatal: could not read config',
      '  at config.yml',
    ]);
    expect(diagnosis.excerpt).not.toContain('line 199');
    expect(diagnosis.excerpt).not.toContain('error: retrying the download');
  });

  it('uses the message an action reports with ##[error] when no tool output explains it', async () => {
    const log = [
      '##[group]Run actions/deploy@v1',
      '##[endgroup]',
      'Deploying…',
      '##[error]Input required and not supplied: token',
    ].join('\n');
    const steps = [{ name: 'Run actions/deploy@v1', number: 1, conclusion: 'failure' }];
    const diagnosis = await diagnoseJobLog({
      workflow: 'CI',
      job: { ...job, steps },
      logUrl: 'u',
      lines: linesOf(log),
    });
    expect(diagnosis.failures).toEqual([{ message: 'Input required and not supplied: token' }]);
    expect(diagnosis.excerpt[0]).toBe('Input required and not supplied: token');
  });
});
