/**
 * Deliveries and the audit log as the console and the API page through them: newest first, by an
 * opaque cursor (the last row's sequence number), with the duration and last error of deliveries.
 */
import { listDeliveries, toDeliveryJson } from '../inbox/deliveries.js';
import type { Store } from '../store/database.js';
import type { DeliveryStatus } from '../store/schema.js';

export const MAX_PAGE = 200;

export interface DeliveryQuery {
  installationId?: number;
  status?: DeliveryStatus;
  event?: string;
  repository?: string;
  cursor?: string;
  limit: number;
}

export interface Page<T> {
  items: T[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

function decodeCursor(cursor: string | undefined): number | undefined {
  return cursor && /^\d{1,15}$/.test(cursor) ? Number(cursor) : undefined;
}

function pageOf<T>(rows: T[], limit: number, seqOf: (row: T) => number): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? String(seqOf(last)) : null };
}

function iso(epochMs: number | null): string | null {
  return epochMs === null ? null : new Date(Number(epochMs)).toISOString();
}

export async function pageDeliveries(store: Store, query: DeliveryQuery) {
  const limit = Math.min(Math.max(query.limit, 1), MAX_PAGE);
  const { installationId, status, event, repository } = query;
  const beforeSeq = decodeCursor(query.cursor);
  const rows = await listDeliveries(store, { installationId, status, event, repository, beforeSeq, limit: limit + 1 });
  const page = pageOf(rows, limit, (row) => Number(row.seq));
  return {
    nextCursor: page.nextCursor,
    items: page.items.map(toDeliveryJson),
  };
}

export type DeliveryEntry = Awaited<ReturnType<typeof pageDeliveries>>['items'][number];

export interface AuditQuery {
  installationId?: number;
  cursor?: string;
  limit: number;
}

export async function pageAudit(store: Store, query: AuditQuery) {
  const limit = Math.min(Math.max(query.limit, 1), MAX_PAGE);
  let select = store.db
    .selectFrom('audit')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(limit + 1);
  const before = decodeCursor(query.cursor);
  if (before !== undefined) select = select.where('id', '<', before);
  if (query.installationId !== undefined) select = select.where('installation_id', '=', query.installationId);
  const page = pageOf(await select.execute(), limit, (row) => Number(row.id));
  return {
    nextCursor: page.nextCursor,
    items: page.items.map((row) => ({
      id: Number(row.id),
      integrationId: row.installation_id === null ? null : String(row.installation_id),
      at: iso(row.at),
      actor: row.actor,
      action: row.action,
      detail: row.detail === null ? null : (JSON.parse(row.detail) as unknown),
    })),
  };
}

export type AuditEntryJson = Awaited<ReturnType<typeof pageAudit>>['items'][number];
