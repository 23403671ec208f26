import { describe, expect, it } from 'vitest';
import { diagnoseJobLog, diagnoseJobWithoutLog, type Diagnosis } from '../../src/ci/diagnose.js';
import { findRetirements, linkRepairPull } from '../../src/ci/retirements.js';
import { diagnoseFixture } from './diagnose-fixture.js';

const ARTIFACT_NOTICE = 'https://github.blog/changelog/2024-04-16-deprecation-notice-v3-of-the-artifact-actions/';

const job = {
  id: 9,
  name: 'build',
  conclusion: 'failure',
  steps: [
    { name: 'Set up job', number: 1, conclusion: 'success' },
    { name: 'Run ./build.sh', number: 2, conclusion: 'failure' },
    { name: 'Complete job', number: 3, conclusion: 'success' },
  ],
};

async function* logOf(lines: readonly string[]): AsyncGenerator<string> {
  for (const line of lines) yield `2025-03-20T10:00:00.0000000Z ${line}\n`;
}

function diagnose(lines: readonly string[]): Promise<Diagnosis> {
  return diagnoseJobLog({ workflow: 'CI', job, logUrl: 'u', lines: logOf(lines) });
}

describe('retirements a failed job shows', () => {
  it("names the retirement row GitHub's deprecated upload-artifact message matches, with its notice", async () => {
    const diagnosis = await diagnoseFixture('github-deprecated-action');
    expect(diagnosis.retirements).toEqual([
      {
        id: 'upload-artifact-below-v4',
        title: 'actions/upload-artifact below v4',
        severity: { kind: 'fails-now', since: '2025-01-30' },
        notice: ARTIFACT_NOTICE,
      },
    ]);
    expect(diagnosis.repairPull).toBeUndefined();
  });

  it('has no retirements when the code failed', async () => {
    const diagnosis = await diagnoseFixture('vitest-assertions');
    expect(diagnosis).not.toHaveProperty('retirements');
  });

  it('reads runner errors and warnings, failing rows first, and not what a script printed', async () => {
    const diagnosis = await diagnose([
      '##[group]Run ./build.sh',
      '##[endgroup]',
      '##[warning]The `set-output` command is deprecated and will be disabled soon. Please upgrade to using Environment Files.',
      'This request has been automatically failed because it uses a deprecated version of `actions/cache: v2`',
      '##[error]This is a scheduled Ubuntu 20.04 brownout. The Ubuntu 20.04 Actions runner image will be removed on 2025-04-01.',
    ]);
    expect(diagnosis.retirements?.map((row) => row.id)).toEqual(['runner-ubuntu-20.04', 'command-set-output']);
  });

  it('reads the annotations of a job without a log', () => {
    const diagnosis = diagnoseJobWithoutLog({
      workflow: 'CI',
      job,
      logUrl: 'u',
      reason: 'log-expired',
      annotations: ['Node.js 20 actions are deprecated. Please update the following actions to use Node.js 24.'],
    });
    expect(diagnosis.retirements?.map((row) => row.id)).toEqual(['node-runtime']);
  });

  it('finds nothing in messages that name no retirement', () => {
    expect(findRetirements([])).toEqual([]);
    expect(findRetirements(['Process completed with exit code 1.'])).toEqual([]);
  });
});

describe('linking the repair pull request', () => {
  const diagnosisOf = (id: number, messages: readonly string[]): Diagnosis =>
    diagnoseJobWithoutLog({
      workflow: 'CI',
      job: { ...job, id },
      logUrl: 'u',
      reason: 'log-unavailable',
      annotations: messages,
    });
  const retired = diagnosisOf(1, ['The `set-env` command is disabled.']);
  const plain = diagnosisOf(2, []);
  const diagnoses = [retired, plain];

  it('links the open repair pull request to the diagnoses that show a retirement, and only to them', () => {
    const linked = linkRepairPull(diagnoses, { number: 12, url: 'https://github.com/o/r/pull/12' }, { kind: 'other' });
    expect(linked[0]?.repairPull).toEqual({ number: 12, url: 'https://github.com/o/r/pull/12' });
    expect(linked[1]).toBe(plain);
  });

  it('records that none is open', () => {
    expect(linkRepairPull(diagnoses, undefined, { kind: 'other' })[0]?.repairPull).toBeNull();
  });
});
