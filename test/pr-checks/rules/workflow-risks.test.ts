import { describe, expect, it } from 'vitest';
import { findWorkflowRisks, isUnpinnedThirdParty } from '../../../src/pr-checks/rules/workflow-risks.js';
import type { Finding } from '../../../src/pr-checks/types.js';
import { readPrChecksFixture } from '../../../fixtures/pr-checks/helpers.js';

const workflow = (name: string): string => readPrChecksFixture(`workflows/${name}`);
const everyLine = (content: string): Set<number> => new Set(content.split('\n').map((_, index) => index + 1));
/** 1-based line of the first line containing `needle`. */
const lineOf = (content: string, needle: string, from = 0): number =>
  content.split('\n').findIndex((text, index) => index >= from && text.includes(needle)) + 1;

/** Audits a fixture as if the pull request added the whole file. */
const auditNew = (name: string): Finding[] => {
  const content = workflow(name);
  return findWorkflowRisks(`.github/workflows/${name}`, content, everyLine(content));
};
const titles = (findings: Finding[]): string[] => findings.map((finding) => finding.title);
/** The findings that fail the status (warnings of other audits aside). */
const errors = (findings: Finding[]): Finding[] => findings.filter((finding) => finding.severity === 'failure');
const ofAudit = (findings: Finding[], audit: string): Finding[] =>
  findings.filter((finding) => finding.audit === audit);

describe('findWorkflowRisks: pull_request_target and workflow_run', () => {
  it('reports a pull_request_target job checking out the head, on the ref line', () => {
    const content = workflow('pwn-request.yml');
    const finding = auditNew('pwn-request.yml').find((f) => f.title.includes('checks out pull request code'));
    expect(finding?.line).toBe(lineOf(content, 'ref: ${{ github.event.pull_request.head.sha }}'));
    expect(finding).toMatchObject({
      audit: 'dangerous-triggers',
      severity: 'failure',
      link: 'https://docs.zizmor.sh/audits/#dangerous-triggers',
    });
  });

  it('reports secrets handed to steps after the head checkout, naming them', () => {
    const finding = auditNew('pwn-request.yml').find((f) => f.title === 'Secrets reach steps that run fork code');
    expect(finding?.evidence).toBe('secrets.NPM_TOKEN, secrets.NETLIFY_AUTH_TOKEN');
  });

  it('reports write scopes granted to a pull_request_target workflow', () => {
    const content = workflow('pwn-request.yml');
    const finding = auditNew('pwn-request.yml').find((f) => f.title.startsWith('Write permissions'));
    expect(finding).toMatchObject({
      line: lineOf(content, 'pull-requests: write'),
      evidence: 'pull-requests: write',
    });
  });

  it('reports a third-party action pinned to a branch', () => {
    const content = workflow('pwn-request.yml');
    const finding = errors(auditNew('pwn-request.yml')).find((f) => f.title.includes('not pinned'));
    expect(finding).toMatchObject({
      line: lineOf(content, 'netlify/actions/cli@master'),
      evidence: 'uses: netlify/actions/cli@master',
    });
  });

  it('reports workflow_run jobs that fetch and check out the triggering head', () => {
    const content = workflow('workflow-run-artifacts.yml');
    const findings = errors(auditNew('workflow-run-artifacts.yml'));
    expect(titles(findings)).toEqual([
      'Privileged workflow checks out pull request code',
      'Secrets reach steps that run fork code',
    ]);
    expect(findings[0]?.line).toBe(lineOf(content, '- run: |'));
  });

  it('reports an existing head checkout on the trigger line when the pull request adds the trigger', () => {
    const content = workflow('pwn-request.yml');
    const triggerLine = lineOf(content, 'pull_request_target:');
    const findings = errors(findWorkflowRisks('.github/workflows/p.yml', content, new Set([triggerLine])));
    expect(findings.map((f) => [f.title, f.line])).toEqual([
      ['Write permissions on a workflow triggered by untrusted input', triggerLine],
      ['Privileged workflow checks out pull request code', triggerLine],
      ['Secrets reach steps that run fork code', triggerLine],
    ]);
  });

  it('only warns about pull_request_target that keeps to the base, reads only and pins third parties', () => {
    const findings = auditNew('pr-target-safe.yml');
    expect(errors(findings)).toEqual([]);
    expect(ofAudit(findings, 'dangerous-triggers').map((f) => f.severity)).toEqual(['warning']);
  });

  it('raises no error for a head checkout and secrets under the pull_request trigger', () => {
    expect(errors(auditNew('ci-push-safe.yml'))).toEqual([]);
  });
});

describe('findWorkflowRisks: script injection', () => {
  it('reports untrusted expressions expanded in run scripts, on their exact lines', () => {
    const content = workflow('script-injection.yml');
    const findings = ofAudit(auditNew('script-injection.yml'), 'template-injection');
    expect(findings.map((f) => [f.evidence, f.line])).toEqual([
      ['${{ github.event.issue.title }}', lineOf(content, 'github.event.issue.title')],
      ['${{ github.event.comment.body }}', lineOf(content, 'github.event.comment.body')],
    ]);
    expect(findings[0]?.link).toBe('https://docs.zizmor.sh/audits/#template-injection');
  });

  it('accepts the same values passed through env: or with:, and trusted values in run:', () => {
    expect(ofAudit(auditNew('env-indirection-safe.yml'), 'template-injection')).toEqual([]);
    expect(errors(auditNew('env-indirection-safe.yml'))).toEqual([]);
  });

  it('reports github.head_ref and commit messages in run scripts', () => {
    const content = [
      'on: push',
      'jobs:',
      '  a:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - run: echo "${{ github.head_ref }}"',
      '      - run: echo "${{ github.event.head_commit.message }}"',
      '      - run: echo "${{ github.event.commits[0].author.email }}"',
    ].join('\n');
    const findings = findWorkflowRisks('.github/workflows/a.yml', content, everyLine(content));
    expect(ofAudit(findings, 'template-injection')).toHaveLength(3);
  });
});

describe('findWorkflowRisks: third-party actions', () => {
  it('fails on unpinned third-party actions and reusable workflows; warns on actions/* and github/*; skips local and docker ones', () => {
    const findings = ofAudit(auditNew('third-party-actions.yml'), 'unpinned-uses');
    expect(findings.filter((f) => f.severity === 'warning').map((f) => f.evidence)).toEqual([
      'uses: actions/checkout@v4',
      'uses: github/codeql-action/init@v3',
    ]);
    const evidence = errors(findings).map((finding) => finding.evidence);
    expect(evidence).toEqual([
      'uses: softprops/action-gh-release@v2',
      'uses: some-org/deploy-action@main',
      'uses: tj-actions/changed-files@a7487c7e',
      'uses: some-org/workflows/.github/workflows/release.yml@v1',
    ]);
  });

  it('accepts a full 40-character SHA only', () => {
    expect(isUnpinnedThirdParty('pnpm/action-setup@a7487c7e89a18df4991f7f222e4898a00d66ddda')).toBe(false);
    expect(isUnpinnedThirdParty('pnpm/action-setup@a7487c7e89a18df4991f7f222e4898a00d66ddd')).toBe(true);
    expect(isUnpinnedThirdParty('pnpm/action-setup')).toBe(true);
  });
});

describe('findWorkflowRisks: permissions', () => {
  it('reports write-all and job write scopes on an issue_comment workflow', () => {
    const content = workflow('write-all-issue-comment.yml');
    const findings = ofAudit(auditNew('write-all-issue-comment.yml'), 'excessive-permissions');
    expect(findings.map((f) => [f.evidence, f.line])).toEqual([
      ['write-all', lineOf(content, 'permissions: write-all')],
      ['issues: write', lineOf(content, 'issues: write')],
    ]);
  });
});

describe('findWorkflowRisks: only added lines', () => {
  it('reports nothing when none of the risky lines was added', () => {
    const content = workflow('pwn-request.yml');
    expect(findWorkflowRisks('.github/workflows/p.yml', content, new Set([1, 2]))).toEqual([]);
  });

  it('reports only the risk on the added line', () => {
    const content = workflow('third-party-actions.yml');
    const added = new Set([lineOf(content, 'some-org/deploy-action@main')]);
    expect(findWorkflowRisks('.github/workflows/t.yml', content, added).map((f) => f.evidence)).toEqual([
      'uses: some-org/deploy-action@main',
    ]);
  });
});

describe('findWorkflowRisks: invalid YAML', () => {
  it('reports one finding on the line the parser names, whatever lines were added', () => {
    const content = workflow('invalid.yml');
    const findings = findWorkflowRisks('.github/workflows/invalid.yml', content, new Set());
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      title: 'Workflow file is not valid YAML',
      line: lineOf(content, '- run: npm test'),
    });
  });
});
