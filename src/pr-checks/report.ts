/**
 * The pr-checks report (what the details page shows and the store keeps) and the commit statuses
 * it leads to, computed without I/O: the handler fetches, these functions decide, a tiny executor
 * writes.
 */
import { createHash } from 'node:crypto';
import { toConfigErrorReport, type ConfigErrorReport } from '../repo-config/repo-config-error.js';
import type { ConfigError } from '../errors.js';
import type { AcceptedFinding } from './accepted-findings.js';
import { fitStatusDescription } from '../github/repository.js';
import { describeAudit, RULE_ORDER, type AuditResult } from './audit.js';
import type { PrChecksConfig } from './config.js';
import type { Finding, RuleId } from './types.js';

/** GitHub's "list pull request files" returns at most this many files. */
export const MAX_LISTED_FILES = 3_000;
export const STATUS_CONTEXT = 'keel/pr-checks';

/** An audit's result (its description the commit status's) plus what the audit never saw. */
export interface PrCheckReport extends AuditResult {
  /** Changed files GitHub did not list (beyond its 3,000-file limit), so never audited. */
  filesNotListed: number;
  configError: ConfigErrorReport | null;
  /** Findings accepted with `/keel ignore`: shown, but left out of the state (accepted-findings.ts). */
  accepted?: AcceptedFinding[];
}

export interface StatusWrite {
  sha: string;
  state: 'pending' | 'success' | 'failure';
  description: string;
  target_url?: string;
  context: typeof STATUS_CONTEXT;
}

/** The report of a full audit; `changedFiles` is the pull request's own count (it may exceed what was listed). */
export function summarizeAudit(result: AuditResult, changedFiles: number, listedFiles: number): PrCheckReport {
  const filesNotListed = Math.max(0, changedFiles - listedFiles);
  return {
    state: result.state,
    description: describeAudit(result.findings, result.notAudited, result.filesAudited, filesNotListed),
    findings: result.findings,
    notAudited: result.notAudited,
    filesAudited: result.filesAudited,
    addedLines: result.addedLines,
    ...(result.skippedAudits ? { skippedAudits: result.skippedAudits } : {}),
    filesNotListed,
    configError: null,
  };
}

/** A previous report of the same commit with the findings of the rules in `only` replaced by a re-run's. */
export function mergePartialAudit(
  previous: PrCheckReport,
  partial: AuditResult,
  only: readonly RuleId[],
): PrCheckReport {
  const rank = (finding: Finding) => RULE_ORDER.indexOf(finding.rule);
  const findings = [...previous.findings.filter((finding) => !only.includes(finding.rule)), ...partial.findings].sort(
    (a, b) => rank(a) - rank(b),
  );
  return {
    ...previous,
    ...(previous.accepted ? { accepted: previous.accepted.filter((finding) => !only.includes(finding.rule)) } : {}),
    state: findings.some((finding) => finding.severity === 'failure') ? 'failure' : 'success',
    description: describeAudit(findings, previous.notAudited, previous.filesAudited, previous.filesNotListed),
    findings,
  };
}

/** A failure report for a configuration Keel cannot use; the page shows the whole message. */
export function reportConfigError(error: ConfigError): PrCheckReport {
  return {
    state: 'failure',
    description: fitStatusDescription(error.message),
    findings: [],
    notAudited: [],
    filesAudited: 0,
    addedLines: 0,
    filesNotListed: 0,
    configError: toConfigErrorReport(error),
  };
}

/** Identifies a prChecks configuration, so stored findings are reused only under the same rules. */
export function fingerprintConfig(config: PrChecksConfig): string {
  const stable = (value: unknown): unknown =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(
          Object.entries(value)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([key, inner]) => [key, stable(inner)]),
        )
      : value;
  return createHash('sha256')
    .update(JSON.stringify(stable(config)))
    .digest('hex')
    .slice(0, 32);
}

/** The fields of a pull_request event's `changes` for `edited`. */
export interface PullRequestChanges {
  title?: unknown;
  body?: unknown;
  base?: unknown;
}

/** Rules that read each field of the pull request an edit can change (besides its diff). */
const RULES_READING: Record<'title' | 'body', RuleId[]> = { title: ['title'], body: [] };

/**
 * Which rules an event needs: all of them (undefined) unless it is an edit of only the title or
 * the body, which re-runs just the rules reading them.
 */
export function planAuditScope(action: string, changes: PullRequestChanges | undefined): RuleId[] | undefined {
  if (action !== 'edited' || !changes) return undefined;
  const changed = Object.keys(changes);
  if (changed.length === 0 || !changed.every((field) => field === 'title' || field === 'body')) return undefined;
  return [...new Set(changed.flatMap((field) => RULES_READING[field as 'title' | 'body']))];
}

export function planPendingStatus(sha: string): StatusWrite {
  return { sha, state: 'pending', description: 'Auditing the changes in this commit…', context: STATUS_CONTEXT };
}

export function planFinalStatus(sha: string, report: PrCheckReport, targetUrl: string): StatusWrite {
  return { sha, state: report.state, description: report.description, target_url: targetUrl, context: STATUS_CONTEXT };
}
