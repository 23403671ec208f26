/** The few reads the pages need beyond the integration actions: run history and queue depth. */
import type { VerificationReport } from '../../connection/verify/types.js';
import type { KeelConfig } from '../../config.js';
import { decodePayload } from '../../inbox/payload-codec.js';
import type { Store } from '../../store/database.js';
import type { DeliveryStatus } from '../../store/schema.js';
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
): Promise<{ integrationId: string | null; event: string; status: DeliveryStatus; payload: unknown } | undefined> {
  const row = await store.db
    .selectFrom('deliveries')
    .leftJoin('delivery_payloads', 'delivery_payloads.delivery_seq', 'deliveries.seq')
    .select([
      'deliveries.installation_id',
      'deliveries.event',
      'deliveries.status',
      'delivery_payloads.codec',
      'delivery_payloads.payload',
    ])
    .where('deliveries.id', '=', id)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    integrationId: row.installation_id === null ? null : String(row.installation_id),
    event: row.event,
    status: row.status,
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

/**
 * One lean row per installation for the integrations table: the columns it shows, sorts and
 * filters by, and nothing else (no grant, no report to parse). When it was last verified and
 * whether its quota was low are kept on the installation as each verification is stored; its
 * last delivery is read through the (installation_id, received_at) index.
 */
export async function readIntegrationListing(
  store: Store,
  config: Pick<KeelConfig, 'githubHost' | 'githubWebUrl'>,
): Promise<ListedIntegration[]> {
  const rows = await store.db
    .selectFrom('installations')
    .leftJoin('integrations', 'integrations.installation_id', 'installations.id')
    .select((eb) => [
      'installations.id',
      'installations.account_login',
      'installations.installed_by',
      'installations.state',
      'installations.repository_count',
      'installations.verified_at',
      'installations.rate_limited',
      'integrations.name',
      'integrations.provider',
      'integrations.host',
      'integrations.added_by',
      'integrations.services',
      eb
        .selectFrom('deliveries')
        .select((inner) => inner.fn.max('deliveries.received_at').as('at'))
        .whereRef('deliveries.installation_id', '=', 'installations.id')
        .as('last_delivery_at'),
    ])
    .execute();
  const fallback = {
    provider: config.githubHost === 'api.github.com' ? 'github' : 'github-enterprise',
    host: new URL(config.githubWebUrl).host,
  };
  return rows.map((row) => ({
    id: String(row.id),
    account: row.account_login,
    name: row.name ?? row.account_login,
    provider: row.provider ?? fallback.provider,
    host: row.host ?? fallback.host,
    addedBy: row.added_by ?? row.installed_by,
    services: row.services,
    state: row.state,
    repositoryCount: row.repository_count === null ? null : Number(row.repository_count),
    verifiedAt: row.verified_at === null ? null : Number(row.verified_at),
    rateLimited: Number(row.rate_limited ?? 0) === 1,
    lastDeliveryAt: row.last_delivery_at === null ? null : Number(row.last_delivery_at),
  }));
}
