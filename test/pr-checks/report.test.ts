import { describe, expect, it } from 'vitest';
import { auditPullRequest } from '../../src/pr-checks/audit.js';
import { PrChecksConfigSchema } from '../../src/pr-checks/config.js';
import {
  fingerprintConfig,
  mergePartialAudit,
  planAuditScope,
  reportConfigError,
  summarizeAudit,
} from '../../src/pr-checks/report.js';
import { RepoConfigError } from '../../src/repo-config/repo-config-error.js';
import { addedFilePatch } from '../../fixtures/pr-checks/helpers.js';

const config = PrChecksConfigSchema.parse({ titlePattern: '^feat: ' });
const conflict = {
  filename: 'a.txt',
  status: 'added' as const,
  additions: 5,
  deletions: 0,
  changes: 5,
  patch: addedFilePatch(['<<<<<<< HEAD', 'a', '=======', 'b', '>>>>>>> main']),
};
const audit = (title: string, only?: ('title' | 'secrets')[]) =>
  auditPullRequest({
    title,
    body: null,
    files: only ? [] : [conflict],
    workflowContents: new Map(),
    config,
    ...(only ? { only } : {}),
  });

describe('planAuditScope', () => {
  it('audits everything on a push', () => {
    expect(planAuditScope('synchronize', undefined)).toBeUndefined();
  });

  it('re-runs only the title rule when only the title changed', () => {
    expect(planAuditScope('edited', { title: { from: 'old' } })).toEqual(['title']);
  });

  it('re-runs no rule when only the body changed (no rule reads it)', () => {
    expect(planAuditScope('edited', { body: { from: 'old' } })).toEqual([]);
  });

  it('audits everything when the base branch changed', () => {
    expect(planAuditScope('edited', { title: { from: 'old' }, base: { ref: { from: 'dev' } } })).toBeUndefined();
  });
});

describe('mergePartialAudit', () => {
  it('replaces the title findings and keeps the others', () => {
    const previous = summarizeAudit(audit('Update'), 1, 1);
    const merged = mergePartialAudit(previous, audit('feat: update', ['title']), ['title']);
    expect({ state: merged.state, description: merged.description }).toEqual({
      state: 'failure',
      description: '1 finding: 1 merge conflict',
    });
  });

  it('orders findings as a full audit would', () => {
    const previous = summarizeAudit(audit('feat: update'), 1, 1);
    const merged = mergePartialAudit(previous, audit('Update', ['title']), ['title']);
    expect(merged.findings.map((finding) => finding.rule)).toEqual(['conflict-markers', 'title']);
  });
});

describe('summarizeAudit', () => {
  it('counts the files GitHub did not list as not audited', () => {
    expect(summarizeAudit(audit('feat: x'), 3500, 1).description).toBe(
      '1 finding: 1 merge conflict; 3,499 files not audited',
    );
  });
});

describe('reportConfigError', () => {
  it('cuts the description to 140 characters and keeps the whole message for the page', () => {
    const problems = Array.from({ length: 5 }, (_, line) => ({
      file: '.github/keel.yml',
      line: line + 1,
      message: `prChecks.rules.rule${line} is not a known key`,
    }));
    const report = reportConfigError(new RepoConfigError(problems));
    expect([report.description.length, report.description.endsWith('…'), report.configError?.problems]).toEqual([
      140,
      true,
      problems,
    ]);
  });
});

describe('fingerprintConfig', () => {
  it('is the same for the same settings written in another order', () => {
    const a = PrChecksConfigSchema.parse({ maxChangedLines: 5, ignorePaths: ['x'] });
    const b = PrChecksConfigSchema.parse({ ignorePaths: ['x'], maxChangedLines: 5 });
    expect(fingerprintConfig(a)).toBe(fingerprintConfig(b));
  });
});
