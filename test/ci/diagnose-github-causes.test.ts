import { describe, expect, it } from 'vitest';
import { diagnoseJobLog, diagnoseJobWithoutLog } from '../../src/ci/diagnose.js';
import { diagnoseFixture, excerptText } from './diagnose-fixture.js';

const job = {
  id: 9,
  name: 'build',
  conclusion: 'failure',
  steps: [
    { name: 'Set up job', number: 1, conclusion: 'failure' },
    { name: 'Complete job', number: 2, conclusion: 'success' },
  ],
};

describe('failures GitHub causes', () => {
  it('says plainly that GitHub refused a shut-down action version at "Set up job"', async () => {
    const diagnosis = await diagnoseFixture('github-deprecated-action');
    expect(diagnosis).toMatchObject({ kind: 'github-deprecation', tool: null, failedStep: { name: 'Set up job' } });
    expect(diagnosis.note).toContain('it uses actions/upload-artifact: v3, a version GitHub has shut down');
    expect(diagnosis.excerpt).toHaveLength(1);
    expect(diagnosis.excerpt[0]).toMatch(/^This request has been automatically failed/);
  });

  it('reports a job timeout with the step that was running and its last output', async () => {
    const diagnosis = await diagnoseFixture('github-timeout');
    expect(diagnosis).toMatchObject({ kind: 'timeout', failedStep: { name: 'Run go test -v ./...' }, failures: [] });
    expect(diagnosis.note).toBe('The job was stopped after 10 minutes (timeout-minutes).');
    expect(excerptText(diagnosis)).toContain('exceeded the maximum execution time of 10 minutes');
    expect(excerptText(diagnosis)).toContain('=== RUN   TestSyncWithBank');
    expect(diagnosis.excerpt.at(-1)).toContain('retry 2: bank not ready');
  });

  it('reports a cancelled job as cancelled, not as a failure of the code', async () => {
    const diagnosis = await diagnoseFixture('github-cancelled');
    expect(diagnosis).toMatchObject({ kind: 'cancelled', note: 'The job was cancelled before it finished.' });
  });

  it('recognises a runner image brownout in the log', async () => {
    const message =
      'This is a scheduled Ubuntu 20.04 brownout. The Ubuntu 20.04 Actions runner image will be removed on 2025-04-01.';
    async function* log(): AsyncGenerator<string> {
      yield `2025-03-20T10:00:00.0000000Z ##[error]${message}\n`;
    }
    const diagnosis = await diagnoseJobLog({ workflow: 'CI', job, logUrl: 'u', lines: log() });
    expect(diagnosis.kind).toBe('infrastructure');
    expect(diagnosis.note).toContain('scheduled brownout of Ubuntu 20.04');
  });

  it('recognises a retired runner image and a lost runner', async () => {
    const retired = diagnoseJobWithoutLog({
      workflow: 'CI',
      job,
      logUrl: 'u',
      reason: 'never-started',
      annotations: ['The windows-2019 runner image has been retired.'],
    });
    const lost = diagnoseJobWithoutLog({
      workflow: 'CI',
      job,
      logUrl: 'u',
      reason: 'log-unavailable',
      annotations: ['The hosted runner: GitHub Actions 3 lost communication with the server.'],
    });
    expect(retired).toMatchObject({ kind: 'infrastructure' });
    expect(retired.note).toContain('retired the runner image');
    expect(lost).toMatchObject({
      kind: 'infrastructure',
      excerpt: ['The hosted runner: GitHub Actions 3 lost communication with the server.'],
    });
  });
});

describe('jobs without a log', () => {
  it('says a job never started, with no tool and no failures', () => {
    const diagnosis = diagnoseJobWithoutLog({
      workflow: 'CI',
      job: { ...job, steps: [] },
      logUrl: 'u',
      reason: 'never-started',
    });
    expect(diagnosis).toMatchObject({ kind: 'infrastructure', tool: null, failures: [], failedStep: null });
    expect(diagnosis.note).toMatch(/never started/);
  });

  it('says the log expired when GitHub answered 410, and still names the failed step', () => {
    const steps = [{ name: 'Run make', number: 2, conclusion: 'failure' }];
    const diagnosis = diagnoseJobWithoutLog({
      workflow: 'CI',
      job: { ...job, steps },
      logUrl: 'u',
      reason: 'log-expired',
    });
    expect(diagnosis).toMatchObject({ kind: 'unknown', failedStep: { name: 'Run make', number: 2 } });
    expect(diagnosis.note).toMatch(/410: logs expire/);
  });

  it('takes a timed-out conclusion as a timeout', () => {
    const diagnosis = diagnoseJobWithoutLog({
      workflow: 'CI',
      job: { ...job, conclusion: 'timed_out' },
      logUrl: 'u',
      reason: 'log-expired',
    });
    expect(diagnosis.kind).toBe('timeout');
  });
});
