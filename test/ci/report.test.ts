import { describe, expect, it } from 'vitest';
import type { Diagnosis } from '../../src/ci/diagnose.js';
import type { CommitRun } from '../../src/ci/github.js';
import {
  describeCommitFailures,
  judgeCommitRuns,
  planFailureWrites,
  planSuccessWrites,
  type RunReport,
} from '../../src/ci/report.js';
import type { StoredRun } from '../../src/ci/store.js';
import { RUN_SHA as SHA, runFacts } from '../../fixtures/ci/run-facts.js';
import type { TrackingIssue } from '../../src/ci/store-reports.js';

function diagnosisOf(name: string, failureCount = 2): Diagnosis {
  return {
    workflow: 'CI',
    job: { id: name.length, name },
    failedStep: { name: 'Run npm test', number: 4 },
    kind: 'test-failure',
    tool: 'vitest',
    failures: Array.from({ length: failureCount }, (_, index) => ({ test: `${name} ${index}`, message: 'boom' })),
    failureCount,
    excerpt: ['boom'],
    logUrl: `https://github.com/acme/app/actions/runs/1/job/${name.length}`,
  };
}

function reportOf(overrides: Partial<StoredRun> = {}): RunReport {
  const run: StoredRun = {
    id: 'page1',
    ...runFacts(),
    diagnoses: [diagnosisOf('test')],
    notDiagnosed: 0,
    configError: null,
    createdAt: 0,
    updatedAt: 0,
    ...overrides,
  };
  return { run, pageUrl: `https://keel.example.com/ci/${run.id}?sig=x` };
}

function runOf(overrides: Partial<CommitRun>): CommitRun {
  return {
    id: 1,
    workflowId: 10,
    name: 'CI',
    path: '.github/workflows/ci.yml',
    event: 'pull_request',
    status: 'completed',
    conclusion: 'success',
    runNumber: 5,
    runAttempt: 1,
    ...overrides,
  };
}

describe('judgeCommitRuns', () => {
  const passed = runOf({ id: 1 });
  const none = () => false;

  it('passes when the latest run of every workflow passed', () => {
    expect(judgeCommitRuns([passed, runOf({ id: 2, workflowId: 11, conclusion: 'skipped' })], passed, none)).toBe(true);
  });

  it('fails while another workflow failed or is still running', () => {
    expect(judgeCommitRuns([passed, runOf({ id: 2, workflowId: 11, conclusion: 'failure' })], passed, none)).toBe(
      false,
    );
    expect(
      judgeCommitRuns(
        [passed, runOf({ id: 2, workflowId: 11, status: 'in_progress', conclusion: null })],
        passed,
        none,
      ),
    ).toBe(false);
  });

  it('keeps only the latest run of a workflow: an older failed run does not count', () => {
    const older = runOf({ id: 0, runNumber: 4, conclusion: 'failure' });
    expect(judgeCommitRuns([older, passed], passed, none)).toBe(true);
  });

  it('counts the run being reported as passed even when GitHub still lists it in progress', () => {
    expect(judgeCommitRuns([{ ...passed, status: 'in_progress', conclusion: null }], passed, none)).toBe(true);
    expect(judgeCommitRuns([], passed, none)).toBe(true);
  });

  it('leaves ignored workflows out', () => {
    const nightly = runOf({ id: 3, workflowId: 12, name: 'Nightly', conclusion: 'failure' });
    expect(judgeCommitRuns([passed, nightly], passed, (run) => run.name === 'Nightly')).toBe(true);
  });
});

describe('describeCommitFailures', () => {
  it('describes the failures of every failing run of the commit together', () => {
    const lint = reportOf({ id: 'page2', runId: 101, workflowId: 11, diagnoses: [diagnosisOf('lint', 1)] });
    expect(describeCommitFailures([reportOf(), lint])).toBe('2 jobs failed: test (2 tests), lint (1 test)');
  });

  it('counts the jobs past the cap without naming them', () => {
    expect(describeCommitFailures([reportOf({ notDiagnosed: 3 })])).toBe('4 jobs failed: test (2 tests) +3 more');
  });
});

describe('planFailureWrites', () => {
  const tracking = (issue?: Partial<TrackingIssue>) => ({
    branch: 'main',
    labelReady: true,
    issue: issue && {
      repositoryId: 2,
      workflowId: 10,
      workflow: 'CI',
      branch: 'main',
      issueNumber: 4,
      state: 'open' as const,
      lastRunId: null,
      lastRunAttempt: null,
      updatedAt: 0,
      ...issue,
    },
  });

  it('writes only the status when comments are off and the run is not on the default branch', () => {
    const writes = planFailureWrites({
      sha: SHA,
      current: reportOf(),
      failing: [reportOf()],
      pulls: [{ number: 7, comment: undefined }],
      comment: false,
      tracking: null,
    });
    expect(writes.map((write) => write.kind)).toEqual(['status']);
  });

  it('links each job of the comment to the diagnosis page of its own run', () => {
    const lint = reportOf({ id: 'page2', runId: 101, workflowId: 11, diagnoses: [diagnosisOf('lint', 1)] });
    const [, comment] = planFailureWrites({
      sha: SHA,
      current: lint,
      failing: [reportOf(), lint],
      pulls: [{ number: 7, comment: undefined }],
      comment: true,
      tracking: null,
    });
    expect(comment).toMatchObject({ kind: 'pull-comment', commentId: null, failingJobs: ['test', 'lint'] });
    const body = comment?.kind === 'pull-comment' ? comment.body : '';
    expect(body).toContain('[diagnosis](https://keel.example.com/ci/page1?sig=x)');
    expect(body).toContain('[diagnosis](https://keel.example.com/ci/page2?sig=x)');
  });

  it('opens the tracking issue when none is open, creating the label the first time', () => {
    const writes = planFailureWrites({
      sha: SHA,
      current: reportOf(),
      failing: [reportOf()],
      pulls: [],
      comment: true,
      tracking: { ...tracking(), labelReady: false },
    });
    expect(writes[1]).toMatchObject({ kind: 'open-issue', title: 'CI failing on main: CI', createLabel: true });
  });

  it('does not comment twice on the tracking issue for the same run attempt', () => {
    const writes = planFailureWrites({
      sha: SHA,
      current: reportOf(),
      failing: [reportOf()],
      pulls: [],
      comment: true,
      tracking: tracking({ lastRunId: 100, lastRunAttempt: 1 }),
    });
    expect(writes.map((write) => write.kind)).toEqual(['status']);
  });
});

describe('planSuccessWrites', () => {
  const base = { sha: SHA, pulls: [], comment: true, closing: null, refresh: null };

  it('writes success only on a commit Keel reported failing', () => {
    expect(planSuccessWrites({ ...base, commitState: undefined, allPassed: true })).toEqual([]);
    expect(planSuccessWrites({ ...base, commitState: 'failure', allPassed: true })).toEqual([
      {
        kind: 'status',
        status: { sha: SHA, state: 'success', description: 'All workflow runs passed', context: 'keel/ci' },
      },
    ]);
  });

  it('re-describes the failures that remain when one of several failing workflows passes', () => {
    const lint = reportOf({ id: 'page2', runId: 101, workflowId: 11, diagnoses: [diagnosisOf('lint', 1)] });
    const writes = planSuccessWrites({
      ...base,
      commitState: 'failure',
      allPassed: false,
      refresh: { failing: [lint], pulls: [] },
    });
    expect(writes).toEqual([
      {
        kind: 'status',
        status: {
          sha: SHA,
          state: 'failure',
          description: '1 test failed in vitest (job lint)',
          target_url: lint.pageUrl,
          context: 'keel/ci',
        },
      },
    ]);
  });
});
