/**
 * Findings people accepted for a pull request (`/keel ignore <rule> [reason]`): recorded with who
 * and why, shown on the details page, and left out of the status. A finding is known by its
 * rule, file, title and (masked) evidence, not its line, so it stays accepted when later commits
 * move it; a new finding of the same rule is not accepted.
 */
import { createHash } from 'node:crypto';
import type { Store } from '../store/database.js';
import { describeAudit } from './audit.js';
import type { PrCheckReport } from './report.js';
import type { PullRequestRef } from './store.js';
import type { Finding, RuleId } from './types.js';

export interface Acceptance {
  fingerprint: string;
  rule: string;
  acceptedBy: string;
  reason: string | null;
  acceptedAt: number;
}

/** A finding left out of the status, with who accepted it and why. */
export interface AcceptedFinding extends Finding {
  acceptedBy: string;
  reason: string | null;
  acceptedAt: number;
}

export function fingerprintFinding(finding: Finding): string {
  return createHash('sha256')
    .update(JSON.stringify([finding.rule, finding.file, finding.title, finding.evidence ?? null]))
    .digest('hex')
    .slice(0, 32);
}

/** Every finding of the report, accepted or not. */
function allFindings(report: PrCheckReport): Finding[] {
  return [
    ...report.findings,
    ...(report.accepted ?? []).map(({ acceptedBy: _by, reason: _reason, acceptedAt: _at, ...finding }) => finding),
  ];
}

/**
 * The report with the accepted findings moved out of `findings`, its state and description
 * recomputed. Reports of a configuration error are returned unchanged.
 */
export function applyAcceptedFindings(report: PrCheckReport, acceptances: readonly Acceptance[]): PrCheckReport {
  if (report.configError || (acceptances.length === 0 && !report.accepted?.length)) return report;
  const byFingerprint = new Map(acceptances.map((acceptance) => [acceptance.fingerprint, acceptance]));
  const findings: Finding[] = [];
  const accepted: AcceptedFinding[] = [];
  for (const finding of allFindings(report)) {
    const acceptance = byFingerprint.get(fingerprintFinding(finding));
    if (acceptance) accepted.push({ ...finding, ...pick(acceptance) });
    else findings.push(finding);
  }
  const description = describeAudit(findings, report.notAudited, report.filesAudited, report.filesNotListed);
  const note = accepted.length > 0 ? `; ${accepted.length} accepted` : '';
  return {
    ...report,
    findings,
    accepted,
    state: findings.some((finding) => finding.severity === 'failure') ? 'failure' : 'success',
    description: (description + note).length <= 140 ? description + note : description,
  };
}

function pick({ acceptedBy, reason, acceptedAt }: Acceptance) {
  return { acceptedBy, reason, acceptedAt };
}

export async function listAcceptances(store: Store, pullRequest: PullRequestRef): Promise<Acceptance[]> {
  const rows = await store.db
    .selectFrom('pr_check_accepted_findings')
    .selectAll()
    .where('repository_id', '=', pullRequest.repositoryId)
    .where('pull_number', '=', pullRequest.pullNumber)
    .execute();
  return rows.map((row) => ({
    fingerprint: row.fingerprint,
    rule: row.rule,
    acceptedBy: row.accepted_by,
    reason: row.reason,
    acceptedAt: Number(row.accepted_at),
  }));
}

export interface AcceptRequest extends PullRequestRef {
  installationId: number;
  rule: RuleId;
  acceptedBy: string;
  reason: string | null;
}

/**
 * Accepts the report's current findings of `rule` (an earlier acceptance of the same finding is
 * kept as it was); returns how many findings of the rule the report holds.
 */
export async function acceptFindings(
  store: Store,
  report: PrCheckReport,
  request: AcceptRequest,
  now: number,
): Promise<number> {
  const findings = allFindings(report).filter((finding) => finding.rule === request.rule);
  for (const finding of findings) {
    await store.db
      .insertInto('pr_check_accepted_findings')
      .values({
        repository_id: request.repositoryId,
        pull_number: request.pullNumber,
        fingerprint: fingerprintFinding(finding),
        installation_id: request.installationId,
        rule: request.rule,
        accepted_by: request.acceptedBy,
        reason: request.reason,
        accepted_at: now,
      })
      .onConflict((conflict) => conflict.columns(['repository_id', 'pull_number', 'fingerprint']).doNothing())
      .execute();
  }
  return findings.length;
}
