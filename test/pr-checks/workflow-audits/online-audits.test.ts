import { describe, expect, it } from 'vitest';
import { recordedActionFacts } from '../../../fixtures/pr-checks/action-facts.js';
import { findWorkflowRisks, type WorkflowAuditOptions } from '../../../src/pr-checks/rules/workflow-risks.js';
import type { ActionFacts } from '../../../src/pr-checks/workflow-audits/action-facts.js';
import { isInRange } from '../../../src/pr-checks/workflow-audits/version-range.js';
import type { Finding } from '../../../src/pr-checks/types.js';

const V400 = '7a1cd3216ca9260cd8022db641d960b1db4d1be4';
const V413 = '87c55149d96e628cc2ef7e6fc2aab372015aec85';

function audit(steps: string[], options: WorkflowAuditOptions = {}): Finding[] {
  const lines = ['on: push', 'permissions: {}', 'jobs:', '  a:', '    runs-on: ubuntu-latest', '    steps:', ...steps];
  const all = new Set(lines.map((_, index) => index + 1));
  return findWorkflowRisks('.github/workflows/w.yml', lines.join('\n'), all, {
    actionFacts: recordedActionFacts(),
    audits: { 'unpinned-uses': 'off' },
    ...options,
  }).filter((finding) => finding.audit !== 'artipacked');
}
const summary = (findings: Finding[]) => findings.map((f) => [f.audit, f.severity, f.line]);

describe('GitHub advisory ranges', () => {
  it('holds every comparator of a range, with v prefixes, missing parts and pre-releases', () => {
    expect(isInRange('v4.0.0', '>= 4.0.0, < 4.1.3')).toBe(true);
    expect(isInRange('4.1.3', '>= 4.0.0, < 4.1.3')).toBe(false);
    expect(isInRange('v4', '< 4.1.3')).toBe(true);
    expect(isInRange('2.37.0', '<= 2.37.0')).toBe(true);
    expect(isInRange('1.0.0-rc.1', '>= 1.0.0')).toBe(false);
    expect(isInRange('0.2.0', '= 0.2.0')).toBe(true);
    expect(isInRange('main', '< 1.0.0')).toBeUndefined();
  });

  it('reads the forms GitHub documents for vulnerable_version_range', () => {
    expect(isInRange('2.30.0', '>= 2.25.0, < 2.37.1')).toBe(true);
    expect(isInRange('2.37.1', '>= 2.25.0, < 2.37.1')).toBe(false);
    expect(isInRange('2.24.9', '>= 2.25.0, < 2.37.1')).toBe(false);
    expect(isInRange('v2.37.0', '< 2.37.1')).toBe(true);
    expect(isInRange('1.0.0', '= 1.0.0')).toBe(true);
    expect(isInRange('1.0.1', '= 1.0.0')).toBe(false);
    expect(isInRange('1.0.0', '')).toBeUndefined();
  });

  it('orders pre-releases as SemVer does: numeric identifiers by number', () => {
    expect(isInRange('1.0.0-rc.10', '>= 1.0.0-rc.9')).toBe(true);
    expect(isInRange('1.0.0-rc.2', '< 1.0.0-rc.10')).toBe(true);
    expect(isInRange('1.0.0-alpha', '< 1.0.0-alpha.1')).toBe(true);
  });
});

describe('known-vulnerable-actions', () => {
  it('names the advisory, its severity, link and first patched version for a SHA pin of an affected release', () => {
    const [finding, ...rest] = audit([`      - uses: actions/download-artifact@${V400}`]);
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      audit: 'known-vulnerable-actions',
      severity: 'failure',
      line: 7,
      title: 'Action with a known vulnerability: GHSA-cxww-7g56-2vh6 (high)',
      link: 'https://github.com/advisories/GHSA-cxww-7g56-2vh6',
    });
    expect(finding?.explanation).toContain('actions/download-artifact v4.0.0 is affected');
    expect(finding?.explanation).toContain('>= 4.0.0, < 4.1.3');
    expect(finding?.fix).toContain('4.1.3 or later');
  });

  it('resolves a floating tag to its release through the tags, and leaves patched releases alone', () => {
    expect(summary(audit(['      - uses: actions/download-artifact@v4.0.0']))).toEqual([
      ['known-vulnerable-actions', 'failure', 7],
    ]);
    expect(summary(audit([`      - uses: actions/download-artifact@${V413}`]))).toEqual([]);
    expect(summary(audit(['      - uses: actions/download-artifact@v4.1.3']))).toEqual([]);
  });

  it("reads a SHA's `# vX.Y.Z` comment when the tags are unknown, and maps medium advisories to warnings", () => {
    const facts = recordedActionFacts();
    const withoutRefs: ActionFacts = { advisories: facts.advisories, refs: new Map() };
    const pinned = `      - uses: actions/download-artifact@${'a'.repeat(40)} # v4.0.0`;
    expect(summary(audit([pinned], { actionFacts: withoutRefs }))).toEqual([
      ['known-vulnerable-actions', 'failure', 7],
    ]);
    const php = '      - uses: shivammathur/setup-php@accd6127cb78bee3e8082180cb391013d204ef9f # 2.37.0';
    expect(summary(audit([php]))).toEqual([
      ['known-vulnerable-actions', 'warning', 7],
      ['known-vulnerable-actions', 'warning', 7],
    ]);
  });

  it('does not judge a series (`v4`) it could not resolve to a release: v4 runs the latest, patched, v4', () => {
    const facts = recordedActionFacts();
    const withoutRefs: ActionFacts = { advisories: facts.advisories, refs: new Map() };
    expect(summary(audit(['      - uses: actions/download-artifact@v4'], { actionFacts: withoutRefs }))).toEqual([]);
    const pinned = `      - uses: actions/download-artifact@${'a'.repeat(40)} # v4`;
    expect(summary(audit([pinned], { actionFacts: withoutRefs }))).toEqual([]);
  });

  it('resolves a SHA to its version tag even when a longer tag that is not a version points there too', () => {
    const facts = recordedActionFacts();
    const refs = facts.refs.get('actions/download-artifact');
    if (!refs?.ok) throw new Error('recorded refs of actions/download-artifact missing');
    const tags = [...refs.value.tags, { name: 'latest-stable-release', commit: V400 }];
    const withExtraTag: ActionFacts = {
      advisories: facts.advisories,
      refs: new Map([['actions/download-artifact', { ok: true, value: { ...refs.value, tags } }]]),
    };
    expect(summary(audit([`      - uses: actions/download-artifact@${V400}`], { actionFacts: withExtraTag }))).toEqual([
      ['known-vulnerable-actions', 'failure', 7],
    ]);
  });

  it('reports nothing without facts (offline), or for a SHA no tag or comment names', () => {
    expect(audit([`      - uses: actions/download-artifact@${V400}`], { actionFacts: undefined })).toEqual([]);
    expect(audit([`      - uses: actions/download-artifact@${'b'.repeat(40)}`])).toEqual([]);
  });
});

describe('ref-confusion', () => {
  it('warns when the ref names both a branch and a tag, not when it is a tag only', () => {
    expect(summary(audit(['      - uses: woodruffw/gha-hazmat/ref-confusion@confusable']))).toEqual([
      ['ref-confusion', 'warning', 7],
    ]);
    expect(summary(audit(['      - uses: arduino/setup-task@v2']))).toEqual([]);
  });
});

describe('stale-action-refs', () => {
  const stale = '      - uses: actions/checkout@009b9ae9e446ad8d9b8c809870b0fbcc5e03573e';
  const tagged = '      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2';

  it("is off by default, as in zizmor's default persona", () => {
    expect(summary(audit([stale, tagged]))).toEqual([]);
  });

  it('reports a SHA no tag points to once switched on', () => {
    const on = { 'unpinned-uses': 'off', 'stale-action-refs': 'warning' } as const;
    expect(summary(audit([stale, tagged], { audits: on }))).toEqual([['stale-action-refs', 'warning', 7]]);
  });
});
