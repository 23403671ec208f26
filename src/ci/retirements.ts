/**
 * Links a failed job to the workflow repair: the retirements (GitHub's deprecations, the repair
 * capability's table) whose text the job's runner messages show, and Keel's open repair pull
 * request for the repository. Pure: the handler reads the pull request and passes it in.
 */
import type { RepairPending } from '../repair/repair-after-retirement.js';
import { matchRetirementLog, type Severity } from '../repair/retirements.js';
import type { Diagnosis } from './diagnose.js';

/** A retirement row a job's log matched, as the diagnosis keeps it. */
export interface RetirementNote {
  id: string;
  title: string;
  severity: Severity;
  /** GitHub's announcement. */
  notice: string;
}

/** The repair pull request a diagnosis links to. */
export interface RepairPullLink {
  number: number;
  url: string;
}

const SEVERITY_ORDER: Record<Severity['kind'], number> = { 'fails-now': 0, 'fails-on': 1, 'warns-now': 2 };

/** The rows GitHub's runner messages (`##[error]`, `##[warning]`, annotations) match, failing ones first. */
export function findRetirements(messages: readonly string[]): RetirementNote[] {
  if (messages.length === 0) return [];
  return matchRetirementLog(messages)
    .map(({ row }) => ({ id: row.id, title: row.title, severity: row.severity, notice: row.notice }))
    .sort((a, b) => SEVERITY_ORDER[a.severity.kind] - SEVERITY_ORDER[b.severity.kind]);
}

/**
 * The diagnoses that show a retirement, linked to the open repair pull request (null: none is
 * open, and then what became of the repair, `pending`).
 */
export function linkRepairPull(
  diagnoses: readonly Diagnosis[],
  pull: RepairPullLink | undefined,
  pending: RepairPending,
): Diagnosis[] {
  const link = pull
    ? { repairPull: { number: pull.number, url: pull.url } }
    : { repairPull: null, ...(pending.kind === 'other' ? {} : { repairPending: pending }) };
  return diagnoses.map((diagnosis) => (diagnosis.retirements ? { ...diagnosis, ...link } : diagnosis));
}
