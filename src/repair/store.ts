/** Repair storage: the last scan per repository, action facts, openings (hourly cap), queue, dry-run reports. */
import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Store } from '../store/database.js';
import type { Database } from '../store/schema.js';
import type { BotPullRequest } from './github.js';
import type { ActionFacts, Finding } from './types.js';

export interface WorkflowFile {
  path: string;
  /** The blob SHA GitHub listed. */
  sha: string;
}

export interface StoredScan {
  listingEtag: string | null;
  pullsEtag: string | null;
  pulls: BotPullRequest[];
  tableFingerprint: string;
  updatedAt: number;
  files: WorkflowFile[];
  findings: Finding[];
}

export async function readScan(store: Store, repositoryId: number): Promise<StoredScan | undefined> {
  const row = await store.db
    .selectFrom('repair_scans')
    .selectAll()
    .where('repository_id', '=', repositoryId)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    listingEtag: row.listing_etag,
    pullsEtag: row.pulls_etag,
    pulls: JSON.parse(row.pulls) as BotPullRequest[],
    updatedAt: Number(row.updated_at),
    tableFingerprint: row.table_fingerprint,
    files: JSON.parse(row.files) as WorkflowFile[],
    findings: JSON.parse(row.findings) as Finding[],
  };
}

export async function saveScan(
  store: Store,
  ids: { repositoryId: number; installationId: number },
  scan: Omit<StoredScan, 'updatedAt'>,
  now: number,
): Promise<void> {
  const values = {
    installation_id: ids.installationId,
    listing_etag: scan.listingEtag,
    pulls_etag: scan.pullsEtag,
    pulls: JSON.stringify(scan.pulls),
    table_fingerprint: scan.tableFingerprint,
    files: JSON.stringify(scan.files),
    findings: JSON.stringify(scan.findings),
    updated_at: now,
  };
  await store.db
    .insertInto('repair_scans')
    .values({ repository_id: ids.repositoryId, ...values })
    .onConflict((conflict) => conflict.column('repository_id').doUpdateSet(values))
    .execute();
}

/** Facts about `uses` learnt within `maxAgeMs` (refs that are SHAs never change: callers pass Infinity). */
export async function readActionFacts(
  store: Store,
  uses: string,
  now: number,
  maxAgeMs: number,
): Promise<ActionFacts | undefined> {
  const row = await store.db.selectFrom('repair_action_facts').selectAll().where('uses', '=', uses).executeTakeFirst();
  if (!row || now - row.checked_at > maxAgeMs) return undefined;
  return JSON.parse(row.facts) as ActionFacts;
}

/**
 * Deletes the action facts checked before their cut-off; returns how many. Keys starting with
 * `prefix` (the workflow audit's rows) are cut at `prefixedBefore`, the others (repair's) at `before`.
 */
export async function deleteActionFactsBefore(
  store: Store,
  cutoffs: { before: number; prefix: string; prefixedBefore: number },
): Promise<number> {
  const pattern = `${cutoffs.prefix}%`;
  const result = await store.db
    .deleteFrom('repair_action_facts')
    .where((eb) =>
      eb.or([
        eb.and([eb('uses', 'like', pattern), eb('checked_at', '<', cutoffs.prefixedBefore)]),
        eb.and([eb('uses', 'not like', pattern), eb('checked_at', '<', cutoffs.before)]),
      ]),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function saveActionFacts(store: Store, uses: string, facts: ActionFacts, now: number): Promise<void> {
  const values = { facts: JSON.stringify(facts), checked_at: now };
  await store.db
    .insertInto('repair_action_facts')
    .values({ uses, ...values })
    .onConflict((conflict) => conflict.column('uses').doUpdateSet(values))
    .execute();
}

export const HOURLY_OPENINGS = 10;

/**
 * Reserves one of the installation's bot pull request openings this hour; false past the cap. The
 * same pull request (repository and branch) reserved again within the hour keeps its reservation:
 * an attempt that failed mid-way (a 5xx on the commit or the pull request) and runs again, or the
 * loser of two deliveries opening it at once, is the same opening, not one more.
 *
 * Atomic, so repairs of different repositories running at once (several workers, several
 * processes) never take more than the cap between them: the count and the insert are one
 * statement, which SQLite runs alone; on Postgres, where concurrent statements each count what
 * they see, the statement runs in a transaction holding a lock on the installation's openings.
 */
export async function reserveOpening(
  store: Store,
  opening: { installationId: number; repositoryId: number; branch: string },
  now: number,
): Promise<boolean> {
  const since = now - 3_600_000;
  const heldThisHour = (db: Kysely<Database>) =>
    db
      .selectFrom('repair_openings')
      .select('opened_at')
      .where('installation_id', '=', opening.installationId)
      .where('repository_id', '=', opening.repositoryId)
      .where('branch', '=', opening.branch)
      .where('opened_at', '>', since);
  const reserve = async (db: Kysely<Database>): Promise<boolean> => {
    const inserted = await db
      .insertInto('repair_openings')
      .columns(['installation_id', 'repository_id', 'branch', 'opened_at'])
      .expression(
        db
          .selectNoFrom([
            sql<number>`${opening.installationId}`.as('installation_id'),
            sql<number>`${opening.repositoryId}`.as('repository_id'),
            sql<string>`${opening.branch}`.as('branch'),
            sql<number>`${now}`.as('opened_at'),
          ])
          .where(
            (eb) =>
              eb
                .selectFrom('repair_openings')
                .select((count) => count.fn.countAll().as('count'))
                .where('installation_id', '=', opening.installationId)
                .where('opened_at', '>', since),
            '<',
            HOURLY_OPENINGS,
          )
          .where(({ not, exists }) => not(exists(heldThisHour(db)))),
      )
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) return true;
    return (await heldThisHour(db).executeTakeFirst()) !== undefined;
  };
  const reserved =
    store.dialect === 'postgres'
      ? await store.db.transaction().execute(async (trx) => {
          await sql`select pg_advisory_xact_lock(hashtextextended(${`keel:repair-openings:${opening.installationId}`}, 0))`.execute(
            trx,
          );
          return reserve(trx);
        })
      : await reserve(store.db);
  if (reserved)
    await store.db
      .deleteFrom('repair_openings')
      .where('opened_at', '<', now - 86_400_000)
      .execute();
  return reserved;
}

export interface QueuedRepair {
  repositoryId: number;
  installationId: number;
  owner: string;
  name: string;
  trigger: string;
}

/**
 * Queues a repository's repair for the hourly drain; one entry per repository. `installation`
 * (the repository joined: repair, then the onboarding pull request) wins over other triggers.
 */
export async function queueRepair(store: Store, queued: QueuedRepair, now: number): Promise<void> {
  await store.db
    .insertInto('repair_queue')
    .values({
      repository_id: queued.repositoryId,
      installation_id: queued.installationId,
      owner: queued.owner,
      name: queued.name,
      trigger: queued.trigger,
      queued_at: now,
    })
    .onConflict((conflict) =>
      queued.trigger === 'installation'
        ? conflict.column('repository_id').doUpdateSet({ trigger: queued.trigger })
        : conflict.column('repository_id').doNothing(),
    )
    .execute();
}

/** Takes up to `limit` queued repairs, oldest first, off the queue. */
export async function takeQueuedRepairs(store: Store, limit: number): Promise<QueuedRepair[]> {
  const rows = await store.db.selectFrom('repair_queue').selectAll().orderBy('queued_at').limit(limit).execute();
  if (rows.length === 0) return [];
  await store.db
    .deleteFrom('repair_queue')
    .where(
      'repository_id',
      'in',
      rows.map((row) => row.repository_id),
    )
    .execute();
  return rows.map((row) => ({
    repositoryId: Number(row.repository_id),
    installationId: Number(row.installation_id),
    owner: row.owner,
    name: row.name,
    trigger: row.trigger,
  }));
}

export interface RepairReport {
  id: string;
  repository: string;
  findings: Finding[];
  createdAt: number;
}

export async function saveReport(
  store: Store,
  report: { installationId: number; repositoryId: number; repository: string; findings: Finding[] },
  now: number,
): Promise<string> {
  const id = randomBytes(12).toString('hex');
  await store.db
    .insertInto('repair_reports')
    .values({
      id,
      installation_id: report.installationId,
      repository_id: report.repositoryId,
      repository: report.repository,
      findings: JSON.stringify(report.findings),
      created_at: now,
    })
    .execute();
  return id;
}

/** Deletes dry-run reports written before `before`; returns how many. */
export async function deleteReportsBefore(store: Store, before: number): Promise<number> {
  const result = await store.db.deleteFrom('repair_reports').where('created_at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function readReport(store: Store, id: string): Promise<RepairReport | undefined> {
  const row = await store.db.selectFrom('repair_reports').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  return {
    id: row.id,
    repository: row.repository,
    findings: JSON.parse(row.findings) as Finding[],
    createdAt: Number(row.created_at),
  };
}

/** The open repair pull request Keel last saw for a repository, for the CI diagnosis to link. */
export async function readOpenRepairPullRequest(
  store: Store,
  repositoryId: number,
): Promise<BotPullRequest | undefined> {
  const scan = await readScan(store, repositoryId);
  return scan?.pulls.find((pull) => pull.state === 'open');
}
