import { describe, expect, it } from 'vitest';
import { auditPullRequest } from '../../../src/pr-checks/audit.js';
import { parsePrChecksConfig } from '../../../src/pr-checks/config.js';
import { addedFile } from '../../../fixtures/pr-checks/helpers.js';
import { parseConfigFile } from '../../../src/repo-config/parse-config-file.js';
import { validateRepoConfig } from '../../../src/repo-config/validate-config.js';

const WORKFLOW = [
  'on: pull_request_target',
  'permissions: {}',
  'jobs:',
  '  a:',
  '    runs-on: ubuntu-latest',
  '    steps:',
  '      - run: echo "${{ github.event.pull_request.title }}"',
];

function auditWorkflow(lines: string[], section: unknown = undefined, filename = '.github/workflows/w.yml') {
  const file = addedFile(filename, lines);
  return auditPullRequest({
    title: 't',
    body: null,
    files: [file],
    workflowContents: new Map([[filename, lines.join('\n')]]),
    config: parsePrChecksConfig(section),
  });
}

describe('workflow audit severity decides keel/pr-checks', () => {
  it('fails on an error and counts the warnings alongside', () => {
    const result = auditWorkflow(WORKFLOW);
    expect(result.state).toBe('failure');
    expect(result.description).toBe('1 finding: 1 workflow risk; 1 warning (1 workflow risk)');
  });

  it('succeeds when .github/keel.yml makes the audit a warning', () => {
    const result = auditWorkflow(WORKFLOW, { workflowAudits: { 'template-injection': 'warning' } });
    expect(result.state).toBe('success');
    expect(result.description).toBe('No findings in 1 file; 2 warnings (2 workflow risks)');
  });

  it('rejects an unknown audit id or setting in .github/keel.yml', () => {
    expect(() => parsePrChecksConfig({ workflowAudits: { 'template-injections': 'off' } })).toThrow(/workflowAudits/);
    expect(() => parsePrChecksConfig({ workflowAudits: { artipacked: 'loud' } })).toThrow(/workflowAudits/);
  });

  it('reads workflowAudits from .github/keel.yml, naming the line of an unknown audit', () => {
    const good = parseConfigFile('.github/keel.yml', 'prChecks:\n  workflowAudits:\n    artipacked: off\n');
    expect(validateRepoConfig(good.data, [good]).prChecks.workflowAudits).toEqual({ artipacked: 'off' });
    const bad = parseConfigFile('.github/keel.yml', 'prChecks:\n  workflowAudits:\n    artipack: warning\n');
    expect(() => validateRepoConfig(bad.data, [bad])).toThrow(
      'prChecks.workflowAudits.artipack is not a known key (line 3)',
    );
  });

  it('audits composite actions (action.yml) anywhere in the repository', () => {
    const action = [
      'runs:',
      '  using: composite',
      '  steps:',
      '    - run: echo "${{ github.event.issue.body }}"',
      '      shell: bash',
    ];
    const result = auditWorkflow(action, undefined, 'tools/greet/action.yml');
    expect(result.findings.map((f) => [f.audit, f.line])).toEqual([['template-injection', 4]]);
  });
});
