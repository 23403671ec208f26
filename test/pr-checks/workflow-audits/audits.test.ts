import { describe, expect, it } from 'vitest';
import { findWorkflowRisks, type WorkflowAuditOptions } from '../../../src/pr-checks/rules/workflow-risks.js';
import { AUDITS } from '../../../src/pr-checks/workflow-audits/index.js';
import type { Finding } from '../../../src/pr-checks/types.js';

/** Audits `lines` as a workflow the pull request adds whole; returns [audit, severity, line]. */
function audit(
  lines: string[],
  options: WorkflowAuditOptions = {},
  path = '.github/workflows/w.yml',
): [string, string, number][] {
  const content = lines.join('\n');
  const all = new Set(lines.map((_, index) => index + 1));
  return findWorkflowRisks(path, content, all, options).map((f: Finding) => [f.audit ?? '', f.severity, f.line ?? 0]);
}
const only = (id: string, found: [string, string, number][]) => found.filter(([audit]) => audit === id);

const header = (on: string): string[] => [
  `on: ${on}`,
  'permissions: {}',
  'jobs:',
  '  a:',
  '    runs-on: ubuntu-latest',
  '    steps:',
];

describe('template-injection', () => {
  it('reports untrusted contexts in run:, github-script and code-running action inputs, as errors', () => {
    const found = audit([
      ...header('pull_request_target'),
      '      - run: echo "${{ github.event.pull_request.labels.*.name }}"',
      '      - uses: actions/github-script@v7',
      '        with:',
      '          script: |',
      '            console.log("${{ github.event.review.body }}")',
      '      - uses: azure/cli@089eac9d8cc39f5d003e94f8b65efc51076c9cbd',
      '        with:',
      '          inlineScript: echo ${{ github.event.workflow_run.head_commit.message }}',
      '      - uses: actions/labeler@v5',
      '        with:',
      '          body: ${{ github.event.pull_request.title }}',
    ]);
    expect(only('template-injection', found)).toEqual([
      ['template-injection', 'failure', 7],
      ['template-injection', 'failure', 11],
      ['template-injection', 'failure', 14],
    ]);
  });

  it('does not report booleans and numbers, nor trusted contexts', () => {
    const found = audit([
      ...header('issues'),
      "      - run: echo ${{ github.event.issue.number }} ${{ github.event.issue.title == 'x' }} ${{ github.sha }}",
      "      - run: echo ${{ contains(github.event.issue.body, 'x') }}",
    ]);
    expect(only('template-injection', found)).toEqual([]);
  });

  it('reports a step reached through a YAML alias once', () => {
    const found = audit([
      'on: issues',
      'permissions: {}',
      'jobs:',
      '  a:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - &greet',
      '        run: echo "${{ github.event.issue.title }}"',
      '  b:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - *greet',
    ]);
    expect(only('template-injection', found)).toEqual([['template-injection', 'failure', 8]]);
  });

  it('audits the steps of a composite action.yml', () => {
    const found = audit(
      [
        'name: x',
        'runs:',
        '  using: composite',
        '  steps:',
        '    - run: echo "${{ github.head_ref }}"',
        '      shell: bash',
      ],
      {},
      'action.yml',
    );
    expect(found).toEqual([['template-injection', 'failure', 5]]);
  });
});

describe('excessive-permissions', () => {
  it('is an error on untrusted triggers and a warning on trusted ones', () => {
    expect(only('excessive-permissions', audit(['on: issue_comment', 'permissions: write-all', 'jobs: {}']))).toEqual([
      ['excessive-permissions', 'failure', 2],
    ]);
    expect(only('excessive-permissions', audit(['on: push', 'permissions: write-all', 'jobs: {}']))).toEqual([
      ['excessive-permissions', 'warning', 2],
    ]);
  });

  it('warns about job-level broadening and a missing permissions: block on untrusted triggers', () => {
    const found = audit(['on: push', 'jobs:', '  a:', '    permissions: write-all', '    runs-on: x']);
    expect(only('excessive-permissions', found)).toEqual([['excessive-permissions', 'warning', 4]]);
    const unset = audit(['on: pull_request_target', 'jobs:', '  a:', '    runs-on: x']);
    expect(only('excessive-permissions', unset)).toEqual([['excessive-permissions', 'warning', 3]]);
  });
});

describe('dangerous-triggers', () => {
  it('warns on pull_request_target and workflow_run in themselves; errors once they check out the head', () => {
    expect(only('dangerous-triggers', audit([...header('workflow_run'), '      - run: make']))).toEqual([
      ['dangerous-triggers', 'warning', 1],
    ]);
    const found = audit([
      ...header('pull_request_target'),
      '      - uses: actions/checkout@v4',
      '        with:',
      '          ref: ${{ github.event.pull_request.head.sha }}',
    ]);
    expect(only('dangerous-triggers', found)).toEqual([
      ['dangerous-triggers', 'warning', 1],
      ['dangerous-triggers', 'failure', 9],
    ]);
  });
});

describe('other audits', () => {
  const cases: [string, string[], [string, string, number][]][] = [
    [
      'github-env',
      [...header('workflow_run'), '      - run: |', '          echo "A=$B" >> $GITHUB_ENV'],
      [['github-env', 'failure', 7]],
    ],
    [
      'artipacked',
      [
        ...header('push'),
        '      - uses: actions/checkout@v4',
        '      - uses: actions/upload-artifact@v4',
        '        with:',
        '          path: .',
      ],
      [['artipacked', 'failure', 7]],
    ],
    [
      'cache-poisoning',
      [
        'on: release',
        'permissions: {}',
        'jobs:',
        '  a:',
        '    runs-on: x',
        '    steps:',
        '      - uses: actions/setup-node@v4',
        '        with:',
        '          cache: npm',
      ],
      [['cache-poisoning', 'failure', 7]],
    ],
    [
      'bot-conditions',
      [
        'on: pull_request_target',
        'permissions: {}',
        'jobs:',
        '  a:',
        "    if: github.actor == 'dependabot[bot]'",
        '    runs-on: x',
      ],
      [['bot-conditions', 'failure', 5]],
    ],
    [
      'secrets-inherit',
      ['on: push', 'permissions: {}', 'jobs:', '  a:', '    uses: ./.github/workflows/r.yml', '    secrets: inherit'],
      [['secrets-inherit', 'warning', 5]],
    ],
    [
      'overprovisioned-secrets',
      [...header('push'), '      - run: echo', '        env:', '          ALL: ${{ toJSON(secrets) }}'],
      [['overprovisioned-secrets', 'warning', 9]],
    ],
    [
      'unredacted-secrets',
      [...header('push'), '      - run: echo', '        env:', '          K: ${{ fromJSON(secrets.CREDS).key }}'],
      [['unredacted-secrets', 'warning', 9]],
    ],
    [
      'insecure-commands',
      [...header('push'), '      - run: echo', '        env:', '          ACTIONS_ALLOW_UNSECURE_COMMANDS: true'],
      [['insecure-commands', 'failure', 9]],
    ],
    ['obfuscation', [...header('push'), '      - uses: actions/checkout/./@v4'], [['obfuscation', 'warning', 7]]],
    ['archived-uses', [...header('push'), '      - uses: actions-rs/cargo@v1'], [['archived-uses', 'warning', 7]]],
    [
      'unsound-contains',
      [
        'on: push',
        'permissions: {}',
        'jobs:',
        '  a:',
        "    if: contains('refs/heads/main', github.ref)",
        '    runs-on: x',
      ],
      [['unsound-contains', 'warning', 5]],
    ],
    [
      'unsound-condition',
      ['on: push', 'permissions: {}', 'jobs:', '  a:', '    if: |', '      ${{ false }}', '    runs-on: x'],
      [['unsound-condition', 'failure', 5]],
    ],
    [
      'hardcoded-container-credentials',
      [
        'on: push',
        'permissions: {}',
        'jobs:',
        '  a:',
        '    runs-on: x',
        '    container:',
        '      image: ghcr.io/o/i:1',
        '      credentials:',
        '        username: u',
        '        password: hunter2',
      ],
      [['hardcoded-container-credentials', 'failure', 10]],
    ],
    [
      'unpinned-images',
      ['on: push', 'permissions: {}', 'jobs:', '  a:', '    runs-on: x', '    container: ubuntu:latest'],
      [['unpinned-images', 'warning', 6]],
    ],
  ];
  it.each(cases)('%s', (id, lines, expected) => {
    expect(only(id, audit(lines))).toEqual(expected);
  });

  it('self-hosted-runner: reported for public repositories only', () => {
    const lines = ['on: push', 'permissions: {}', 'jobs:', '  a:', '    runs-on: [self-hosted, linux]'];
    expect(only('self-hosted-runner', audit(lines))).toEqual([]);
    expect(only('self-hosted-runner', audit(lines, { publicRepository: true }))).toEqual([
      ['self-hosted-runner', 'warning', 5],
    ]);
  });

  it('has at least 20 audits, each with a zizmor-style id, a severity and a link', () => {
    expect(Object.keys(AUDITS).length).toBeGreaterThanOrEqual(20);
    for (const info of Object.values(AUDITS)) expect(info.link).toMatch(/^https:\/\//);
  });
});

describe('severity overrides and ignore comments', () => {
  const injection = [...header('issues'), '      - run: echo "${{ github.event.issue.title }}"'];

  it('lets the configuration downgrade an audit to a warning or turn it off', () => {
    expect(audit(injection, { audits: { 'template-injection': 'warning' } })).toEqual([
      ['template-injection', 'warning', 7],
    ]);
    expect(audit(injection, { audits: { 'template-injection': 'off' } })).toEqual([]);
    expect(
      only('dangerous-triggers', audit([...header('workflow_run')], { audits: { 'dangerous-triggers': 'error' } })),
    ).toEqual([['dangerous-triggers', 'failure', 1]]);
  });

  it('silences an audit on a line carrying `# keel: ignore[audit]`, and only that audit', () => {
    const ignored = [
      ...header('issues'),
      '      - run: echo "${{ github.event.issue.title }}" # keel: ignore[template-injection]',
    ];
    expect(audit(ignored)).toEqual([]);
    const other = [
      ...header('issues'),
      '      - run: echo "${{ github.event.issue.title }}" # keel: ignore[artipacked]',
    ];
    expect(audit(other)).toEqual([['template-injection', 'failure', 7]]);
  });

  it("honours zizmor's own `# zizmor: ignore[audit]` comments", () => {
    const ignored = [
      ...header('issues'),
      '      - run: echo "${{ github.event.issue.title }}" # zizmor: ignore[template-injection]',
    ];
    expect(audit(ignored)).toEqual([]);
  });
});
