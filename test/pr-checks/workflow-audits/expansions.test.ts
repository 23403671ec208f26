import { describe, expect, it } from 'vitest';
import { findWorkflowRisks } from '../../../src/pr-checks/rules/workflow-risks.js';

/** Audits `lines` as a workflow the pull request adds whole; returns [severity, line] of audit `id`. */
function audit(id: string, lines: string[]): [string, number][] {
  const all = new Set(lines.map((_, index) => index + 1));
  return findWorkflowRisks('.github/workflows/w.yml', lines.join('\n'), all)
    .filter((finding) => finding.audit === id)
    .map((finding) => [finding.severity, finding.line ?? 0]);
}

const job = (on: string, ...rest: string[]): string[] => [
  `on: ${on}`,
  'permissions: {}',
  'jobs:',
  '  a:',
  '    runs-on: ubuntu-latest',
  ...rest,
];

describe('template-injection through a matrix', () => {
  it('is an error when a matrix value expands an untrusted context into run:', () => {
    const lines = job(
      'issue_comment',
      '    strategy:',
      '      matrix:',
      '        include:',
      '          - target: ${{ github.event.comment.body }}',
      '    steps:',
      '      - run: echo ${{ matrix.target }}',
    );
    expect(audit('template-injection', lines)).toEqual([['failure', 11]]);
  });

  it('is a warning when matrix values hold other expressions (zizmor: not static), and nothing when static', () => {
    const lines = job(
      'pull_request',
      '    strategy:',
      '      matrix:',
      '        os: [ubuntu-latest, macos-latest]',
      '        include:',
      '          - bar: prefix-${{ github.repository_owner }}',
      '    steps:',
      '      - run: echo ${{ matrix.bar }} ${{ matrix.os }}',
    );
    expect(audit('template-injection', lines)).toEqual([['warning', 12]]);
  });

  it('is a warning for a matrix computed as a whole', () => {
    const lines = job(
      'pull_request',
      '    strategy:',
      '      matrix: ${{ fromJSON(needs.plan.outputs.matrix) }}',
      '    steps:',
      '      - run: ./build ${{ matrix.target }}',
    );
    expect(audit('template-injection', lines)).toEqual([['warning', 9]]);
  });
});

describe('template-injection through a parenthesized expression', () => {
  it('is an error when either branch is untrusted, a warning when a branch is some other github.event field', () => {
    const lines = job(
      'issue_comment',
      '    steps:',
      '      - run: echo "${{ (github.event.pull_request || github.event.issue).title }}"',
      '      - run: echo "${{ (github.event.pull_request || github.event.issue).user.login }}"',
      '      - run: echo "${{ (github.sha || github.ref).foo }}"',
    );
    expect(audit('template-injection', lines)).toEqual([
      ['failure', 7],
      ['warning', 8],
    ]);
  });

  it('gives nothing when every branch ends in a number or a boolean, which cannot carry code', () => {
    const lines = job(
      'issue_comment',
      '    steps:',
      '      - run: echo "${{ (github.event.pull_request || github.event.issue).number }}"',
      '      - run: echo "${{ (github.event.pull_request && github.event.issue).locked }}"',
      '      - run: echo "${{ (github.event.workflow_run || github).run_attempt }}"',
    );
    expect(audit('template-injection', lines)).toEqual([]);
  });

  it("treats a commit's id as the string it is (its SHA), not as a number", () => {
    const lines = job(
      'push',
      '    steps:',
      '      - run: echo "${{ (github.event.head_commit || github.event.workflow_run.head_commit).id }}"',
    );
    expect(audit('template-injection', lines)).toEqual([['warning', 7]]);
  });
});

describe('template-injection through env', () => {
  it('reads the innermost definition: a static step env shadows an untrusted job env', () => {
    const lines = job(
      'issues',
      '    env:',
      '      TITLE: ${{ github.event.issue.title }}',
      '    steps:',
      '      - run: echo ${{ env.TITLE }}',
      '        env:',
      '          TITLE: fixed',
      '      - run: echo ${{ env.TITLE }}',
    );
    expect(audit('template-injection', lines)).toEqual([['failure', 12]]);
  });
});

describe('unpinned-images through a matrix', () => {
  it('reports the image line when any matrix value is untagged or latest, and skips empty values', () => {
    const lines = job(
      'push',
      '    container: ${{ matrix.container }}',
      '    strategy:',
      '      matrix:',
      "        container: ['']",
      '        include:',
      '          - container: python:3.13-bullseye',
      '          - container: python',
      '    steps:',
      '      - run: true',
    );
    expect(audit('unpinned-images', lines)).toEqual([['warning', 6]]);
    const pinned = lines.map((line) => line.replace('container: python', 'container: python:3.12'));
    expect(audit('unpinned-images', pinned)).toEqual([]);
  });
});

describe('obfuscation of action inputs', () => {
  it('warns on `with:` given as one expression', () => {
    const lines = job(
      'push',
      '    steps:',
      '      - uses: actions/checkout@de0fac2e4500dabe0009e67214ff5f5447ce83dd # keel: ignore[artipacked]',
      '        with: ${{ fromJson(steps.setup.outputs.options) }}',
      '      - uses: actions/checkout@de0fac2e4500dabe0009e67214ff5f5447ce83dd # keel: ignore[artipacked]',
      '        with:',
      '          persist-credentials: ${{ inputs.persist }}',
    );
    expect(audit('obfuscation', lines)).toEqual([['warning', 8]]);
  });
});
