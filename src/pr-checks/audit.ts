import { fitStatusDescription, STATUS_DESCRIPTION_LIMIT } from '../github/repository.js';
import type { PrChecksConfig } from './config.js';
import { parsePatch } from './diff.js';
import { createPathMatcher } from './glob.js';
import { findConflictMarkers } from './rules/conflict-markers.js';
import { findSecrets } from './rules/secrets.js';
import { checkSize } from './rules/size.js';
import { checkTitle } from './rules/title.js';
import { findWorkflowRisks, type WorkflowAuditOptions } from './rules/workflow-risks.js';
import type { AddedLine, AuditInput, AuditResult, ChangedFile, Finding, NotAudited, RuleId } from './types.js';

export type { AuditInput, AuditResult, ChangedFile, Finding, NotAudited, RuleId } from './types.js';

/** The order findings are reported in. */
export const RULE_ORDER: readonly RuleId[] = ['secrets', 'conflict-markers', 'workflow-risks', 'title', 'size'];
const RULE_SWITCHES: Record<RuleId, keyof PrChecksConfig['rules']> = {
  secrets: 'secrets',
  'conflict-markers': 'conflictMarkers',
  'workflow-risks': 'workflowRisks',
  size: 'size',
  title: 'title',
};
const LABELS: Record<RuleId, readonly [singular: string, plural: string]> = {
  secrets: ['secret', 'secrets'],
  'conflict-markers': ['merge conflict', 'merge conflicts'],
  'workflow-risks': ['workflow risk', 'workflow risks'],
  title: ['title mismatch', 'title mismatches'],
  size: ['large diff', 'large diffs'],
};
/** Workflows, and composite actions (`action.yml`) anywhere in the repository. */
const WORKFLOW_PATH = /^\.github\/workflows\/[^/]+\.ya?ml$|(?:^|\/)action\.ya?ml$/;

interface FileAudit {
  findings: Finding[];
  addedLines: number;
  notAudited?: NotAudited;
}

/** Judges a pull request: only added lines, only enabled rules; warnings alone leave it a success. */
export function auditPullRequest(input: AuditInput): AuditResult {
  const { config } = input;
  const rules = new Set(
    RULE_ORDER.filter((rule) => config.rules[RULE_SWITCHES[rule]] && (input.only?.includes(rule) ?? true)),
  );
  const isIgnored = createPathMatcher(config.ignorePaths);
  const files = input.files.filter((file) => !isIgnored(file.filename));
  const findings: Finding[] = [];
  const notAudited: NotAudited[] = [];
  let filesAudited = 0;
  let addedLines = 0;

  if (rules.has('secrets') || rules.has('conflict-markers') || rules.has('workflow-risks')) {
    for (const file of files) {
      const audit = auditFile(file, input.workflowContents, rules, config, {
        publicRepository: input.publicRepository ?? false,
        ...(input.actionFacts ? { actionFacts: input.actionFacts } : {}),
      });
      findings.push(...audit.findings);
      addedLines += audit.addedLines;
      if (audit.notAudited) notAudited.push(audit.notAudited);
      else filesAudited += 1;
    }
  }
  if (rules.has('size')) {
    const changed = files.reduce((sum, file) => sum + file.additions + file.deletions, 0);
    findings.push(...checkSize(changed, config.maxChangedLines));
  }
  if (rules.has('title')) findings.push(...checkTitle(input.title, config.titlePattern));

  const skippedAudits = rules.has('workflow-risks') ? [...(input.actionFacts?.skipped ?? [])] : [];
  return {
    state: findings.some((finding) => finding.severity === 'failure') ? 'failure' : 'success',
    description: describeAudit(findings, notAudited, filesAudited),
    findings,
    notAudited,
    filesAudited,
    addedLines,
    ...(skippedAudits.length > 0 ? { skippedAudits } : {}),
  };
}

function auditFile(
  file: ChangedFile,
  workflowContents: Map<string, string>,
  rules: Set<RuleId>,
  config: PrChecksConfig,
  options: Pick<WorkflowAuditOptions, 'publicRepository' | 'actionFacts'>,
): FileAudit {
  if (file.status === 'removed') return { findings: [], addedLines: 0 };
  const isWorkflow = rules.has('workflow-risks') && isWorkflowPath(file.filename);
  const content = isWorkflow ? workflowContents.get(file.filename) : undefined;

  const added = readAddedLines(file, content);
  if (added === undefined) {
    const reason = 'GitHub omitted the diff (too large to display), so its added lines were not read';
    return { findings: [], addedLines: 0, notAudited: { file: file.filename, reason } };
  }

  const findings: Finding[] = [];
  if (rules.has('secrets')) findings.push(...findSecrets(file.filename, added));
  if (rules.has('conflict-markers')) findings.push(...findConflictMarkers(file.filename, added));
  if (!isWorkflow || added.length === 0) return { findings, addedLines: added.length };
  if (content === undefined) {
    const reason = 'its content at the head commit was not provided, so workflow risks were not checked';
    return { findings, addedLines: added.length, notAudited: { file: file.filename, reason } };
  }
  const addedSet = new Set(added.map((line) => line.line));
  findings.push(...findWorkflowRisks(file.filename, content, addedSet, { audits: config.workflowAudits, ...options }));
  return { findings, addedLines: added.length };
}

/** The added lines, or undefined when they cannot be known (GitHub omitted the patch). */
function readAddedLines(file: ChangedFile, content: string | undefined): AddedLine[] | undefined {
  if (file.patch !== undefined) return parsePatch(file.patch).added;
  if (file.changes === 0) return []; // binary file or pure rename: no text was added
  if (file.status === 'added' && content !== undefined) return numberLines(content); // all of it is new
  return undefined;
}

function numberLines(content: string): AddedLine[] {
  return content.split('\n').map((text, index) => ({ line: index + 1, text: text.replace(/\r$/, '') }));
}

/** True for workflow files (directly under `.github/workflows/`) and composite actions (`action.yml`). */
export function isWorkflowPath(path: string): boolean {
  return WORKFLOW_PATH.test(path);
}

/** The changed workflow files whose content (at the head SHA) the handler must fetch for the audit. */
export function workflowFilesToFetch(files: readonly ChangedFile[], config: PrChecksConfig): string[] {
  if (!config.rules.workflowRisks) return [];
  const isIgnored = createPathMatcher(config.ignorePaths);
  return (
    files
      .filter((file) => file.status !== 'removed' && file.additions > 0 && isWorkflowPath(file.filename))
      // Without a patch only a new file can be audited (all its lines are added).
      .filter((file) => file.patch !== undefined || file.status === 'added')
      .filter((file) => !isIgnored(file.filename))
      .map((file) => file.filename)
  );
}

/**
 * The commit status description: counts by kind, warnings and files not audited, at most 140
 * characters. `unlistedFiles` counts changed files GitHub did not list (it lists at most 3,000).
 */
export function describeAudit(
  findings: readonly Finding[],
  notAudited: readonly NotAudited[],
  filesAudited: number,
  unlistedFiles = 0,
): string {
  const failures = findings.filter((finding) => finding.severity === 'failure');
  const warnings = findings.filter((finding) => finding.severity === 'warning');
  const compose = (detailed: boolean): string => {
    const parts = [
      failures.length > 0
        ? `${formatCount(failures.length, 'finding', 'findings')}${detailed ? `: ${describeByRule(failures)}` : ''}`
        : `No findings in ${formatCount(filesAudited, 'file', 'files')}`,
    ];
    if (warnings.length > 0) {
      parts.push(
        `${formatCount(warnings.length, 'warning', 'warnings')}${detailed ? ` (${describeByRule(warnings)})` : ''}`,
      );
    }
    const skipped = notAudited.length + unlistedFiles;
    if (skipped > 0) parts.push(`${formatCount(skipped, 'file', 'files')} not audited`);
    return parts.join('; ');
  };
  const detailed = compose(true);
  if (detailed.length <= STATUS_DESCRIPTION_LIMIT) return detailed;
  const short = compose(false);
  return fitStatusDescription(short);
}

function describeByRule(findings: readonly Finding[]): string {
  return RULE_ORDER.map((rule) => {
    const n = findings.filter((finding) => finding.rule === rule).length;
    return n === 0 ? '' : formatCount(n, ...LABELS[rule]);
  })
    .filter((part) => part !== '')
    .join(', ');
}

function formatCount(n: number, singular: string, plural: string): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? singular : plural}`;
}
