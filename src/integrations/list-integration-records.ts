/**
 * The records `GET /api/installations` is built from, on a lean path: one query reads each
 * installation with its latest report and its first and last delivery (each a lookup in an
 * index per installation, not a grouping of every delivery stored), and a second its integration
 * row. Given `ids` (what a console user may see), it reads only those. Every field of the
 * installation JSON stays: its report is part of the contract, so the report is still parsed.
 */
import type { InstallationRecord } from '../connection/installation-reads.js';
import type { VerificationReport } from '../connection/verify/types.js';
import type { Store } from '../store/database.js';
import type { IntegrationsTable } from '../store/schema.js';

export type IntegrationRecord = InstallationRecord & { integration: IntegrationsTable | undefined };

function epochOrNull(value: number | string | null): number | null {
  return value === null ? null : Number(value);
}

export async function listIntegrationRecords(store: Store, ids?: readonly number[]): Promise<IntegrationRecord[]> {
  if (ids?.length === 0) return [];
  let query = store.db
    .selectFrom('installations')
    .leftJoin('reports', (join) =>
      join.on('reports.id', '=', (eb) =>
        eb
          .selectFrom('reports as latest')
          .select((inner) => inner.fn.max('latest.id').as('id'))
          .whereRef('latest.installation_id', '=', 'installations.id'),
      ),
    )
    .selectAll('installations')
    .select((eb) => [
      'reports.report',
      eb
        .selectFrom('deliveries')
        .select((inner) => inner.fn.min('deliveries.received_at').as('at'))
        .whereRef('deliveries.installation_id', '=', 'installations.id')
        .as('first_delivery_at'),
      eb
        .selectFrom('deliveries')
        .select((inner) => inner.fn.max('deliveries.received_at').as('at'))
        .whereRef('deliveries.installation_id', '=', 'installations.id')
        .as('last_delivery_at'),
    ])
    .orderBy('installations.id');
  if (ids) query = query.where('installations.id', 'in', [...ids]);
  let integrationsQuery = store.db.selectFrom('integrations').selectAll();
  if (ids) integrationsQuery = integrationsQuery.where('installation_id', 'in', [...ids]);
  const [rows, integrations] = await Promise.all([query.execute(), integrationsQuery.execute()]);
  const byId = new Map(integrations.map((integration) => [integration.id, integration]));
  return rows.map(({ report, first_delivery_at, last_delivery_at, ...row }) => ({
    row,
    report: report ? (JSON.parse(report) as VerificationReport) : null,
    firstDeliveryAt: epochOrNull(first_delivery_at),
    lastDeliveryAt: epochOrNull(last_delivery_at),
    integration: byId.get(String(row.id)),
  }));
}
