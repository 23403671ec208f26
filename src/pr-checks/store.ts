/**
 * pr-checks storage: a report per pull request and head SHA (upserted, so an edit re-audit keeps
 * the report's id and link), and the newest head SHA per pull request, which decides whether an
 * audit may still write its status.
 */
import { randomBytes } from 'node:crypto';
import type { Store } from '../store/database.js';
import type { PrCheckReportsTable } from '../store/schema.js';
import type { PrCheckReport } from './report.js';

export interface PullRequestRef {
  repositoryId: number;
  pullNumber: number;
}

export interface HeadSighting extends PullRequestRef {
  installationId: number;
  headSha: string;
  /** The pull request's `updated_at`, epoch ms: a later event carries a later value. */
  prUpdatedAt: number;
}

export interface StoredReport {
  id: string;
  installationId: number;
  repositoryId: number;
  repository: string;
  pullNumber: number;
  headSha: string;
  title: string;
  configFingerprint: string | null;
  report: PrCheckReport;
  createdAt: number;
  updatedAt: number;
}

export type NewReport = Omit<StoredReport, 'id' | 'createdAt' | 'updatedAt'>;

/**
 * Records `sighting` as the pull request's head unless a newer event already recorded another;
 * returns true when `sighting.headSha` is the head afterwards.
 */
export async function recordHeadSha(store: Store, sighting: HeadSighting, now: number): Promise<boolean> {
  await store.db
    .insertInto('pr_check_heads')
    .values({
      repository_id: sighting.repositoryId,
      pull_number: sighting.pullNumber,
      installation_id: sighting.installationId,
      head_sha: sighting.headSha,
      pr_updated_at: sighting.prUpdatedAt,
      recorded_at: now,
    })
    .onConflict((conflict) =>
      conflict
        .columns(['repository_id', 'pull_number'])
        .doUpdateSet((eb) => ({
          head_sha: eb.ref('excluded.head_sha'),
          pr_updated_at: eb.ref('excluded.pr_updated_at'),
          recorded_at: eb.ref('excluded.recorded_at'),
        }))
        // Equal times: the later event wins (GitHub's timestamps have one-second resolution).
        .where('pr_check_heads.pr_updated_at', '<=', (eb) => eb.ref('excluded.pr_updated_at')),
    )
    .execute();
  return isHeadSha(store, sighting, sighting.headSha);
}

/** True while `sha` is the newest head recorded for the pull request. */
export async function isHeadSha(store: Store, pullRequest: PullRequestRef, sha: string): Promise<boolean> {
  const row = await store.db
    .selectFrom('pr_check_heads')
    .select('head_sha')
    .where('repository_id', '=', pullRequest.repositoryId)
    .where('pull_number', '=', pullRequest.pullNumber)
    .executeTakeFirst();
  return row?.head_sha === sha;
}

/** Saves the report of one commit (replacing an earlier one for it) and returns its id. */
export async function saveReport(store: Store, report: NewReport, now: number): Promise<string> {
  const values = {
    installation_id: report.installationId,
    repository: report.repository,
    title: report.title,
    state: report.report.state,
    description: report.report.description,
    config_fingerprint: report.configFingerprint,
    report: JSON.stringify(report.report),
    updated_at: now,
  };
  await store.db
    .insertInto('pr_check_reports')
    .values({
      id: randomBytes(12).toString('base64url'),
      repository_id: report.repositoryId,
      pull_number: report.pullNumber,
      head_sha: report.headSha,
      created_at: now,
      ...values,
    })
    .onConflict((conflict) => conflict.columns(['repository_id', 'pull_number', 'head_sha']).doUpdateSet(values))
    .execute();
  const saved = await findReport(store, report, report.headSha);
  if (!saved) throw new Error('The pr-checks report just saved cannot be read back.');
  return saved.id;
}

type ReportRow = Pick<PrCheckReportsTable, (typeof REPORT_COLUMNS)[number]>;

function toStoredReport(row: ReportRow): StoredReport {
  return {
    id: row.id,
    installationId: Number(row.installation_id),
    repositoryId: Number(row.repository_id),
    repository: row.repository,
    pullNumber: row.pull_number,
    headSha: row.head_sha,
    title: row.title,
    configFingerprint: row.config_fingerprint,
    report: JSON.parse(row.report) as PrCheckReport,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

const REPORT_COLUMNS = [
  'id',
  'installation_id',
  'repository_id',
  'repository',
  'pull_number',
  'head_sha',
  'title',
  'config_fingerprint',
  'report',
  'created_at',
  'updated_at',
] as const;

/** The report of one commit of a pull request. */
export async function findReport(
  store: Store,
  pullRequest: PullRequestRef,
  sha: string,
): Promise<StoredReport | undefined> {
  const row = await store.db
    .selectFrom('pr_check_reports')
    .select(REPORT_COLUMNS)
    .where('repository_id', '=', pullRequest.repositoryId)
    .where('pull_number', '=', pullRequest.pullNumber)
    .where('head_sha', '=', sha)
    .executeTakeFirst();
  return row && toStoredReport(row);
}

/** The report behind a details link. */
export async function readReport(store: Store, id: string): Promise<StoredReport | undefined> {
  const row = await store.db
    .selectFrom('pr_check_reports')
    .select(REPORT_COLUMNS)
    .where('id', '=', id)
    .executeTakeFirst();
  return row && toStoredReport(row);
}
