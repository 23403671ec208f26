/** The few reads the pages need beyond the integration actions: run history and queue depth. */
import { listInstallationRecords } from '../../connection/installation-reads.js';
import type { VerificationReport } from '../../connection/verify/types.js';
import type { KeelConfig } from '../../config.js';
import { decodePayload } from '../../inbox/payload-codec.js';
import type { Store } from '../../store/database.js';
import type { ListedIntegration } from './to-views.js';
import type { RunView } from './view.js';

export const HISTORY_RUNS = 20;

/** The last verification runs of an installation, newest first. */
export async function readRunHistory(store: Store, installationId: number): Promise<RunView[]> {
  const rows = await store.db
    .selectFrom('reports')
    .select(['at', 'state', 'report'])
    .where('installation_id', '=', installationId)
    .orderBy('id', 'desc')
    .limit(HISTORY_RUNS)
    .execute();
  return rows.map((row) => {
    const checks = (JSON.parse(row.report) as VerificationReport).checks ?? [];
    return {
      at: Number(row.at),
      state: row.state,
      failed: checks.filter((check) => check.status === 'fail').length,
      warned: checks.filter((check) => check.status === 'warn').length,
    };
  });
}

/** Deliveries queued or running, per installation: "processing" in the data status. */
export async function countPendingDeliveries(
  store: Store,
  installationIds?: readonly number[],
): Promise<Map<string, number>> {
  if (installationIds && installationIds.length === 0) return new Map();
  let query = store.db
    .selectFrom('deliveries')
    .select(['installation_id', (eb) => eb.fn.countAll<number>().as('count')])
    .where('status', 'in', ['queued', 'processing'])
    .where('installation_id', 'is not', null)
    .groupBy('installation_id');
  if (installationIds) query = query.where('installation_id', 'in', [...installationIds]);
  const rows = await query.execute();
  return new Map(rows.map((row) => [String(row.installation_id), Number(row.count)]));
}

/** A delivery's installation and payload as GitHub sent it, for the manage level. */
export async function readDeliveryPayload(
  store: Store,
  id: string,
): Promise<{ integrationId: string | null; event: string; payload: unknown } | undefined> {
  const row = await store.db
    .selectFrom('deliveries')
    .leftJoin('delivery_payloads', 'delivery_payloads.delivery_seq', 'deliveries.seq')
    .select(['deliveries.installation_id', 'deliveries.event', 'delivery_payloads.codec', 'delivery_payloads.payload'])
    .where('deliveries.id', '=', id)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    integrationId: row.installation_id === null ? null : String(row.installation_id),
    event: row.event,
    payload: row.codec && row.payload ? decodePayload({ codec: row.codec, payload: row.payload }) : null,
  };
}

/** Display names of integrations by id, for links in the audit log. */
export async function readIntegrationNames(store: Store, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await store.db
    .selectFrom('integrations')
    .select(['id', 'name'])
    .where('id', 'in', [...ids])
    .execute();
  return new Map(rows.map((row) => [row.id, row.name]));
}

/** Every installation with its integration row, for the integrations table. */
export async function readIntegrationListing(
  store: Store,
  config: Pick<KeelConfig, 'githubHost' | 'githubWebUrl'>,
): Promise<ListedIntegration[]> {
  const [records, rows] = await Promise.all([
    listInstallationRecords(store),
    store.db.selectFrom('integrations').selectAll().execute(),
  ]);
  const byId = new Map(rows.map((row) => [row.id, row]));
  const fallback = {
    provider: config.githubHost === 'api.github.com' ? 'github' : 'github-enterprise',
    host: new URL(config.githubWebUrl).host,
  };
  return records.map((record) => ({ record, integration: byId.get(String(record.row.id)), fallback }));
}
