import { AUDITS, runWorkflowAudits, type AuditFinding, type AuditId } from '../workflow-audits/index.js';
import type { Finding } from '../types.js';
import { parseWorkflow } from './workflow-model.js';
import type { ActionFacts } from '../workflow-audits/action-facts.js';

export { isUnpinnedThirdParty } from '../workflow-audits/unpinned-uses.js';

export type AuditSetting = 'error' | 'warning' | 'off';

export interface WorkflowAuditOptions {
  /** `.github/keel.yml` overrides, by audit id. */
  audits?: Partial<Record<AuditId, AuditSetting>>;
  /** Self-hosted runners are reported only for public repositories. */
  publicRepository?: boolean;
  /** Advisories, branches and tags of the actions used, read by the handler. */
  actionFacts?: ActionFacts;
}

/** `# keel: ignore[audit]`; zizmor's own `# zizmor: ignore[audit]` comments are honoured too. */
const IGNORE_COMMENT = /#\s*(?:keel|zizmor):\s*ignore\[([^\]]*)\]/;

/**
 * Judges a changed workflow file or composite action (full content at the head SHA). Only
 * findings on lines the pull request adds are reported; a combination risk (trigger plus
 * checkout) is reported on whichever of its lines was added. Invalid YAML is always reported.
 * Severity comes from the audit (or the configuration); `# keel: ignore[audit]` on the reported
 * line silences it there
 * (zizmor's `# zizmor: ignore[audit]` too).
 */
export function findWorkflowRisks(
  file: string,
  content: string,
  addedLines: ReadonlySet<number>,
  options: WorkflowAuditOptions = {},
): Finding[] {
  const parsed = parseWorkflow(content);
  const raw: AuditFinding[] = parsed.ok
    ? runWorkflowAudits(parsed.workflow, options)
    : [
        {
          audit: 'invalid-yaml',
          lines: [parsed.line],
          title: 'Workflow file is not valid YAML',
          explanation: `GitHub cannot run this workflow: ${parsed.message}`,
          fix: 'Fix the YAML at this line (indentation, quoting or a missing colon are the usual causes); `npx yaml valid < file` or an editor with YAML support shows the error.',
        },
      ];
  const sourceLines = content.split('\n');
  const seen = new Set<string>();
  const findings: Finding[] = [];
  for (const finding of raw) {
    const line = finding.audit === 'invalid-yaml' ? finding.lines[0] : finding.lines.find((l) => addedLines.has(l));
    const setting = options.audits?.[finding.audit] ?? finding.severity ?? AUDITS[finding.audit].severity;
    if (line === undefined || setting === 'off' || isIgnored(sourceLines[line - 1], finding.audit)) continue;
    const key = `${finding.audit}\0${line}\0${finding.title}\0${finding.evidence ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    findings.push({
      rule: 'workflow-risks',
      audit: finding.audit,
      severity: setting === 'error' ? 'failure' : 'warning',
      file,
      line,
      title: finding.title,
      explanation: finding.explanation,
      fix: finding.fix,
      ...(finding.evidence === undefined ? {} : { evidence: finding.evidence }),
      link: finding.link ?? AUDITS[finding.audit].link,
    });
  }
  return findings.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}

function isIgnored(text: string | undefined, audit: AuditId): boolean {
  const ids = IGNORE_COMMENT.exec(text ?? '')?.[1];
  return ids !== undefined && ids.split(',').some((id) => ['workflow-risks', audit].includes(id.trim()));
}
