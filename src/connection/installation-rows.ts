/**
 * Writes for the connection capability: an installation as lifecycle events describe it, its
 * repositories, its reports and its audit trail. Every write is idempotent, so a delivery handled
 * twice changes nothing more.
 */
import { sql } from 'kysely';
import type { Store } from '../store/database.js';

export interface AccountFacts {
  login: string;
  type: string;
  id: number;
}

export interface InstallationFacts {
  id: number;
  account: AccountFacts;
  selection: 'all' | 'selected';
  permissions: Record<string, string>;
  events: string[];
  suspendedAt: number | null;
  suspendedBy: string | null;
}

export interface RepositoryFacts {
  id: number;
  fullName: string;
  private: boolean;
}

export interface AuditEntry {
  installationId: number | null;
  actor: string | null;
  action: string;
  detail?: unknown;
  at: number;
}

export async function recordAudit(store: Store, entry: AuditEntry): Promise<void> {
  await store.db
    .insertInto('audit')
    .values({
      installation_id: entry.installationId,
      at: entry.at,
      actor: entry.actor,
      action: entry.action,
      detail: entry.detail === undefined ? null : JSON.stringify(entry.detail),
    })
    .execute();
}

/** Inserts or refreshes an installation; `installedBy` is only written when given (on `created`). */
export async function upsertInstallation(
  store: Store,
  facts: InstallationFacts,
  { now, installedBy }: { now: number; installedBy?: string | null },
): Promise<void> {
  const fields = {
    account_login: facts.account.login,
    account_type: facts.account.type,
    account_id: facts.account.id,
    repository_selection: facts.selection,
    permissions: JSON.stringify(facts.permissions),
    events: JSON.stringify(facts.events),
    suspended_at: facts.suspendedAt,
    suspended_by: facts.suspendedBy,
    updated_at: now,
  };
  await store.db
    .insertInto('installations')
    .values({
      id: facts.id,
      ...fields,
      installed_by: installedBy ?? null,
      state: 'pending',
      created_at: now,
      repository_count: null,
    })
    .onConflict((conflict) =>
      conflict.column('id').doUpdateSet(installedBy === undefined ? fields : { ...fields, installed_by: installedBy }),
    )
    .execute();
}

/**
 * Undoes a discovery that raced with the `deleted` event: removes the installation row and the
 * audit entries `action` wrote, leaving the deletion's own entry.
 */
export async function forgetDiscoveredInstallation(store: Store, id: number, action: string): Promise<void> {
  await store.db.deleteFrom('installations').where('id', '=', id).execute();
  await store.db.deleteFrom('audit').where('installation_id', '=', id).where('action', '=', action).execute();
}

export async function updateInstallation(
  store: Store,
  id: number,
  values: {
    account_login?: string;
    account_type?: string;
    repository_selection?: string;
    permissions?: string;
    events?: string;
    suspended_at?: number | null;
    suspended_by?: string | null;
    state?: string;
    repository_count?: number | null;
    updated_at: number;
  },
): Promise<boolean> {
  const result = await store.db.updateTable('installations').set(values).where('id', '=', id).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function addRepositories(
  store: Store,
  installationId: number,
  repositories: readonly RepositoryFacts[],
): Promise<void> {
  for (const repository of repositories) {
    const values = {
      installation_id: installationId,
      full_name: repository.fullName,
      private: repository.private ? 1 : 0,
    };
    await store.db
      .insertInto('repositories')
      .values({ id: repository.id, ...values })
      .onConflict((conflict) => conflict.column('id').doUpdateSet(values))
      .execute();
  }
}

export async function removeRepositories(store: Store, installationId: number, ids: readonly number[]): Promise<void> {
  if (ids.length === 0) return;
  await store.db
    .deleteFrom('repositories')
    .where('installation_id', '=', installationId)
    .where('id', 'in', [...ids])
    .execute();
}

/** Makes the stored repositories exactly `repositories` (what GitHub listed for the installation). */
export async function replaceRepositories(
  store: Store,
  installationId: number,
  repositories: readonly RepositoryFacts[],
): Promise<void> {
  await addRepositories(store, installationId, repositories);
  const listed = new Set(repositories.map((repository) => repository.id));
  const stored = await store.db
    .selectFrom('repositories')
    .select('id')
    .where('installation_id', '=', installationId)
    .execute();
  await removeRepositories(
    store,
    installationId,
    stored.map((row) => Number(row.id)).filter((id) => !listed.has(id)),
  );
}

export async function countRepositories(store: Store, installationId: number): Promise<number> {
  const row = await store.db
    .selectFrom('repositories')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('installation_id', '=', installationId)
    .executeTakeFirst();
  return Number(row?.count ?? 0);
}

const REPORTS_KEPT = 48;

/** Stores a verification report and prunes all but the newest REPORTS_KEPT of the installation. */
export async function insertReport(
  store: Store,
  report: { installationId: number; at: number; state: string; json: string },
): Promise<void> {
  await store.db
    .insertInto('reports')
    .values({ installation_id: report.installationId, at: report.at, state: report.state, report: report.json })
    .execute();
  const oldestKept = await store.db
    .selectFrom('reports')
    .select('id')
    .where('installation_id', '=', report.installationId)
    .orderBy('id', 'desc')
    .offset(REPORTS_KEPT - 1)
    .limit(1)
    .executeTakeFirst();
  if (oldestKept) {
    await store.db
      .deleteFrom('reports')
      .where('installation_id', '=', report.installationId)
      .where('id', '<', oldestKept.id)
      .execute();
  }
}

/** Rows removed per table. */
export type DeletionCounts = Record<string, number>;

/** Every table with an `installation_id` column, whichever capability created it. */
export async function findInstallationTables(store: Pick<Store, 'db' | 'dialect'>): Promise<string[]> {
  const schema =
    store.dialect === 'postgres'
      ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(store.db)).rows[0]?.schema
      : undefined;
  const tables = await store.db.introspection.getTables();
  return [
    ...new Set(
      tables
        .filter((table) => schema === undefined || table.schema === schema)
        .filter((table) => table.columns.some((column) => column.name === 'installation_id'))
        .map((table) => table.name),
    ),
  ].sort();
}

/**
 * Removes every row Keel stored for an installation, in every table with an `installation_id`
 * (repositories, reports, deliveries and their payloads, redeliveries, audit, and the tables of
 * other capabilities), then the installation itself, leaving one audit entry: who, and when.
 */
export async function deleteInstallationData(
  store: Store,
  installationId: number,
  { actor, now }: { actor: string | null; now: number },
): Promise<DeletionCounts> {
  const tables = await findInstallationTables(store);
  return store.db.transaction().execute(async (trx) => {
    const counts: DeletionCounts = {};
    for (const table of tables) {
      const result = await sql`delete from ${sql.table(table)} where installation_id = ${installationId}`.execute(trx);
      counts[table] = Number(result.numAffectedRows ?? 0);
    }
    await trx.deleteFrom('installations').where('id', '=', installationId).execute();
    await trx
      .insertInto('audit')
      .values({
        installation_id: installationId,
        at: now,
        actor,
        action: 'installation.deleted',
        detail: JSON.stringify({ removed: counts }),
      })
      .execute();
    return counts;
  });
}
