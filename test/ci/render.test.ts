import { describe, expect, it } from 'vitest';
import type { Diagnosis } from '../../src/ci/diagnose.js';
import {
  CI_COMMENT_MARKER,
  describeFailures,
  escapeText,
  renderCiComment,
  renderTrackingIssue,
  renderTrackingIssueComment,
  trackingIssueMarker,
} from '../../src/ci/render.js';

function diagnosisOf(overrides: Partial<Diagnosis> = {}): Diagnosis {
  return {
    workflow: 'CI',
    job: { id: 1, name: 'test' },
    failedStep: { name: 'Run npm test', number: 4 },
    kind: 'test-failure',
    tool: 'vitest',
    failures: [
      { test: 'cart > totals', file: 'test/cart.test.ts', line: 10, message: 'expected 22 to be 20' },
      { test: 'cart > skus', file: 'test/cart.test.ts', line: 25, message: 'invalid sku' },
      { test: 'cart > empty', file: 'test/cart.test.ts', line: 5, message: 'expected 1 to be 0' },
    ],
    failureCount: 3,
    excerpt: ['AssertionError: expected 22 to be 20', '- 20', '+ 22'],
    logUrl: 'https://github.com/acme/app/actions/runs/1/job/1',
    ...overrides,
  };
}

const input = { sha: '5f1c2a9e0b7d4c3a', diagnosisUrl: 'https://keel.example/ci/acme/app/5f1c2a9' };

describe('describeFailures', () => {
  it('counts the failed tests of a single job and names the tool', () => {
    expect(describeFailures([diagnosisOf()])).toBe('3 tests failed in vitest (job test)');
  });

  it('summarises several jobs with what failed in each', () => {
    const lint = diagnosisOf({
      job: { id: 2, name: 'lint' },
      kind: 'lint',
      tool: 'eslint',
      failureCount: 0,
      failures: [],
    });
    expect(describeFailures([diagnosisOf(), lint])).toBe('2 jobs failed: test (3 tests), lint');
  });

  it('says when a failure is GitHub’s, a timeout or a cancellation', () => {
    expect(describeFailures([diagnosisOf({ kind: 'github-deprecation', tool: null })])).toBe(
      'Job test uses an action version GitHub has shut down',
    );
    expect(describeFailures([diagnosisOf({ kind: 'timeout' })])).toBe('Job test timed out');
    expect(describeFailures([diagnosisOf({ kind: 'cancelled' })])).toBe('Job test was cancelled');
  });

  it('never exceeds the 140 characters of a commit status', () => {
    const many = Array.from({ length: 30 }, (_, index) =>
      diagnosisOf({ job: { id: index, name: `integration-shard-${index}` } }),
    );
    const text = describeFailures(many);
    expect(text.length).toBeLessThanOrEqual(140);
    expect(text).toMatch(/^30 jobs failed: integration-shard-0 \(3 tests\), .* \+\d+ more$/);
  });
});

describe('renderCiComment', () => {
  it('starts with the hidden marker so the comment is found and updated in place', () => {
    expect(
      renderCiComment({ state: 'failing', diagnoses: [diagnosisOf()], ...input }).startsWith(`${CI_COMMENT_MARKER}\n`),
    ).toBe(true);
  });

  it('lists failing tests with file:line and links the log and the diagnosis page', () => {
    const body = renderCiComment({ state: 'failing', diagnoses: [diagnosisOf()], ...input });
    expect(body).toContain('- `cart > totals` `test/cart.test.ts:10` expected 22 to be 20');
    expect(body).toContain('[log](https://github.com/acme/app/actions/runs/1/job/1)');
    expect(body).toContain('[diagnosis](https://keel.example/ci/acme/app/5f1c2a9)');
    expect(body).toContain('#### `test`: test failure (vitest)');
  });

  it('puts the excerpt in a fence longer than any backtick run in it', () => {
    const excerpt = ['```', 'inner ```` four', 'end'];
    const body = renderCiComment({ state: 'failing', diagnoses: [diagnosisOf({ excerpt })], ...input });
    expect(body).toContain('`````text\n```\ninner ```` four\nend\n`````');
  });

  it('marks known flaky tests', () => {
    const failures = [{ test: 'cart > totals', message: 'timeout', knownFlaky: true }];
    const body = renderCiComment({
      state: 'failing',
      diagnoses: [diagnosisOf({ failures, failureCount: 1 })],
      ...input,
    });
    expect(body).toContain('timeout _(known flaky)_');
  });

  it('does not let log text ping people or inject Markdown', () => {
    const failures = [
      { test: 'notifies @acme/owners', message: 'cc @octocat <img src=x> **bold** [link](https://evil)' },
    ];
    const body = renderCiComment({
      state: 'failing',
      diagnoses: [diagnosisOf({ failures, failureCount: 1 })],
      ...input,
    });
    expect(body).not.toMatch(/(?<!`[^`\n]*)@octocat/);
    expect(body).toContain('@\u200doctocat');
    expect(body).toContain('\\<img src=x\\>');
    expect(body).toContain('\\*\\*bold\\*\\*');
    expect(body).toContain('`notifies @acme/owners`');
  });

  it('says how many more failures there are than it lists', () => {
    const body = renderCiComment({ state: 'failing', diagnoses: [diagnosisOf({ failureCount: 57 })], ...input });
    expect(body).toContain('- …and 54 more');
  });

  it('turns into a "fixed" comment when the runs pass', () => {
    const body = renderCiComment({ state: 'fixed', sha: 'abcdef0123', fixedJobs: ['test', 'lint'] });
    expect(body).toBe(
      `${CI_COMMENT_MARKER}\n### ✅ CI passes on \`abcdef0\`\n\nThe failures Keel reported earlier are fixed: \`test\`, \`lint\`.`,
    );
  });

  it('shows GitHub’s own failures as a note, without repeating the message as a failure', () => {
    const diagnosis = diagnosisOf({
      kind: 'github-deprecation',
      tool: null,
      failures: [{ message: 'This request has been automatically failed' }],
      failureCount: 1,
      excerpt: ['This request has been automatically failed'],
      note: 'GitHub refused to run this job.',
    });
    const body = renderCiComment({ state: 'failing', diagnoses: [diagnosis], ...input });
    expect(body).toContain('> GitHub refused to run this job.');
    expect(body.match(/This request has been automatically failed/g)).toHaveLength(1);
  });

  it('stays under GitHub’s comment size limit however long the excerpts are', () => {
    const excerpt = Array.from({ length: 30 }, () => 'x'.repeat(5000));
    const diagnoses = Array.from({ length: 20 }, (_, index) =>
      diagnosisOf({ job: { id: index, name: `job-${index}` }, excerpt }),
    );
    const body = renderCiComment({ state: 'failing', diagnoses, ...input });
    expect(body.length).toBeLessThan(65_536);
    expect(body.match(/^`{3,}/gm)?.length ?? 0).toSatisfy((fences: number) => fences % 2 === 0);
  });
});

describe('the tracking issue', () => {
  const tracking = {
    branch: 'main',
    workflow: 'CI',
    sha: 'abcdef0123',
    runUrl: 'https://github.com/acme/app/actions/runs/9',
    diagnoses: [diagnosisOf()],
    diagnosisUrl: input.diagnosisUrl,
  };

  it('is titled "CI failing on <branch>: <workflow>"', () => {
    expect(renderTrackingIssue(tracking).title).toBe('CI failing on main: CI');
  });

  it('carries a marker for its branch and workflow, then the diagnosis', () => {
    const { body } = renderTrackingIssue(tracking);
    expect(body.startsWith(trackingIssueMarker('main', 'CI'))).toBe(true);
    expect(body).toContain('fails on `main` since `abcdef0` ([run](https://github.com/acme/app/actions/runs/9))');
    expect(body).toContain('- `cart > totals` `test/cart.test.ts:10`');
  });

  it('keeps a branch name from closing the marker comment', () => {
    expect(trackingIssueMarker('fix-->now', 'CI')).toBe('<!-- keel:ci-tracking fix--%3Enow CI -->');
  });

  it('gets a comment for each new failure', () => {
    expect(renderTrackingIssueComment(tracking)).toMatch(
      /^Still failing at `abcdef0` \(\[run\]\(https:\/\/github.com\/acme\/app\/actions\/runs\/9\)\): 3 tests failed in vitest \(job test\)/,
    );
  });
});

describe('escapeText', () => {
  it('breaks team mentions with a zero-width joiner', () => {
    expect(escapeText('ping @org/team')).toBe('ping @\u200dorg/team');
  });
});
