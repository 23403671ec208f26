/** Reads for the connection capability: installations with their latest report and delivery times. */
import type { Store } from '../store/database.js';
import type { InstallationsTable, RepositoriesTable } from '../store/schema.js';
import type { VerificationReport } from './verify/types.js';

export interface InstallationRecord {
  row: InstallationsTable;
  /** The latest verification, or null when never verified. */
  report: VerificationReport | null;
  /** MIN and MAX(received_at) of its stored deliveries. */
  firstDeliveryAt: number | null;
  lastDeliveryAt: number | null;
  /** Present when asked for (one installation). */
  repositories?: RepositoriesTable[];
}

async function latestReports(store: Store, ids: readonly number[]): Promise<Map<number, VerificationReport>> {
  if (ids.length === 0) return new Map();
  const latest = store.db
    .selectFrom('reports')
    .select((eb) => eb.fn.max('id').as('id'))
    .where('installation_id', 'in', [...ids])
    .groupBy('installation_id');
  const rows = await store.db
    .selectFrom('reports')
    .select(['installation_id', 'report'])
    .where('id', 'in', latest)
    .execute();
  return new Map(rows.map((row) => [Number(row.installation_id), JSON.parse(row.report) as VerificationReport]));
}

async function deliveryTimes(
  store: Store,
  ids: readonly number[],
): Promise<Map<number, { first: number | null; last: number | null }>> {
  if (ids.length === 0) return new Map();
  const rows = await store.db
    .selectFrom('deliveries')
    .select((eb) => ['installation_id', eb.fn.min('received_at').as('first'), eb.fn.max('received_at').as('last')])
    .where('installation_id', 'in', [...ids])
    .groupBy('installation_id')
    .execute();
  return new Map(
    rows.map((row) => [
      Number(row.installation_id),
      { first: row.first === null ? null : Number(row.first), last: row.last === null ? null : Number(row.last) },
    ]),
  );
}

async function assemble(store: Store, rows: InstallationsTable[]): Promise<InstallationRecord[]> {
  const ids = rows.map((row) => Number(row.id));
  const [reports, times] = await Promise.all([latestReports(store, ids), deliveryTimes(store, ids)]);
  return rows.map((row) => ({
    row,
    report: reports.get(Number(row.id)) ?? null,
    firstDeliveryAt: times.get(Number(row.id))?.first ?? null,
    lastDeliveryAt: times.get(Number(row.id))?.last ?? null,
  }));
}

export function getInstallationRow(store: Store, id: number): Promise<InstallationsTable | undefined> {
  return store.db.selectFrom('installations').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function getInstallationRecord(store: Store, id: number): Promise<InstallationRecord | undefined> {
  const row = await getInstallationRow(store, id);
  if (!row) return undefined;
  const [record] = await assemble(store, [row]);
  const repositories = await store.db
    .selectFrom('repositories')
    .selectAll()
    .where('installation_id', '=', id)
    .orderBy('full_name')
    .execute();
  return record && { ...record, repositories };
}

export async function listInstallationRecords(store: Store): Promise<InstallationRecord[]> {
  const rows = await store.db.selectFrom('installations').selectAll().orderBy('id').execute();
  return assemble(store, rows);
}

export async function listInstallationIds(store: Store): Promise<number[]> {
  const rows = await store.db.selectFrom('installations').select('id').orderBy('id').execute();
  return rows.map((row) => Number(row.id));
}

/** Which of `ids` were uninstalled: an id, once deleted, never comes back (a new install gets a new id). */
export async function findDeletedInstallations(store: Store, ids: readonly number[]): Promise<Set<number>> {
  const known = ids.filter((id) => Number.isFinite(id));
  if (known.length === 0) return new Set();
  const rows = await store.db
    .selectFrom('audit')
    .select('installation_id')
    .where('action', '=', 'installation.deleted')
    .where('installation_id', 'in', known)
    .execute();
  return new Set(rows.map((row) => Number(row.installation_id)));
}

export async function countInstallationsByState(store: Store): Promise<Map<string, number>> {
  const rows = await store.db
    .selectFrom('installations')
    .select(['state', (eb) => eb.fn.countAll<number>().as('count')])
    .groupBy('state')
    .execute();
  return new Map(rows.map((row) => [row.state, Number(row.count)]));
}
