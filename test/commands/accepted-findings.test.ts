import { describe, expect, it } from 'vitest';
import { applyAcceptedFindings, fingerprintFinding, type Acceptance } from '../../src/pr-checks/accepted-findings.js';
import type { PrCheckReport } from '../../src/pr-checks/report.js';
import type { Finding } from '../../src/pr-checks/types.js';

const secret: Finding = {
  rule: 'secrets',
  severity: 'failure',
  file: 'test/fixtures/keys.ts',
  line: 3,
  title: 'GitHub token',
  explanation: 'A GitHub token is committed.',
  fix: 'Revoke it.',
  evidence: 'ghp_…abcd',
};
const conflict: Finding = {
  ...secret,
  rule: 'conflict-markers',
  title: 'Merge conflict marker',
  evidence: '<<<<<<< HEAD',
};

function reportOf(findings: Finding[]): PrCheckReport {
  return {
    state: 'failure',
    description: 'unused',
    findings,
    notAudited: [],
    filesAudited: 2,
    addedLines: 10,
    filesNotListed: 0,
    configError: null,
  };
}

const accepted = (finding: Finding): Acceptance => ({
  fingerprint: fingerprintFinding(finding),
  rule: finding.rule,
  acceptedBy: 'octocat',
  reason: 'test fixture',
  acceptedAt: 1_000,
});

describe('applyAcceptedFindings', () => {
  it('moves accepted findings aside, with who and why, and recomputes state and description', () => {
    const report = applyAcceptedFindings(reportOf([secret, conflict]), [accepted(secret)]);
    expect(report.findings).toEqual([conflict]);
    expect(report.accepted).toEqual([{ ...secret, acceptedBy: 'octocat', reason: 'test fixture', acceptedAt: 1_000 }]);
    expect(report.state).toBe('failure');
    expect(report.description).toBe('1 finding: 1 merge conflict; 1 accepted');
  });

  it('turns the report green when every failure is accepted', () => {
    const report = applyAcceptedFindings(reportOf([secret]), [accepted(secret)]);
    expect(report).toMatchObject({ state: 'success', description: 'No findings in 2 files; 1 accepted' });
  });

  it('keeps a finding accepted when a later commit moves it to another line', () => {
    const moved = { ...secret, line: 40 };
    expect(applyAcceptedFindings(reportOf([moved]), [accepted(secret)]).findings).toEqual([]);
  });

  it('does not accept a new finding of the same rule', () => {
    const another = { ...secret, evidence: 'ghp_…wxyz' };
    expect(applyAcceptedFindings(reportOf([secret, another]), [accepted(secret)]).findings).toEqual([another]);
  });

  it('gives the same report when applied again, and leaves a report without acceptances as it was', () => {
    const once = applyAcceptedFindings(reportOf([secret, conflict]), [accepted(secret)]);
    expect(applyAcceptedFindings(once, [accepted(secret)])).toEqual(once);
    const plain = reportOf([secret]);
    expect(applyAcceptedFindings(plain, [])).toBe(plain);
  });
});
