/**
 * Deliveries and audit entries a user may see: those of integrations they hold a role on. Pages
 * are read newest first by cursor and filtered here, scanning on until a page is full.
 */
import type { DeliveryStatus } from '../../store/schema.js';
import type { DeliveryFilters } from './view.js';

export const PAGE_SIZE = 50;
const MAX_SCANS = 20;

const STATUSES: readonly DeliveryStatus[] = ['queued', 'processing', 'processed', 'failed', 'dead', 'ignored'];

/** The status filter as the store knows it; undefined for "any". */
export function deliveryStatusOf(filters: DeliveryFilters): DeliveryStatus | undefined {
  return STATUSES.find((status) => status === filters.status);
}

/** Runs `run` over `items`, at most `limit` at a time; settles like Promise.allSettled. */
export async function settleInTurns<T, R>(
  items: readonly T[],
  limit: number,
  run: (item: T) => Promise<R>,
): Promise<PromiseSettledResult<R>[]> {
  const results: PromiseSettledResult<R>[] = [];
  for (let start = 0; start < items.length; start += limit) {
    results.push(...(await Promise.allSettled(items.slice(start, start + limit).map(run))));
  }
  return results;
}

export function readDeliveryFilters(query: Record<string, string | undefined>): DeliveryFilters {
  const status = STATUSES.find((value) => value === query.status) ?? '';
  return {
    status,
    event: (query.event ?? '').trim().slice(0, 100),
    repository: (query.repository ?? '').trim().slice(0, 300),
    integration: (query.integration ?? '').trim().slice(0, 64),
  };
}

export interface HistoryPage<T> {
  items: T[];
  nextCursor: string | null;
}

export interface HistoryQuery {
  integrationId?: string;
  cursor?: string;
  limit: number;
}

export async function collectVisible<T>(
  roles: ReadonlyMap<string, unknown>,
  integration: string,
  cursor: string | undefined,
  fetchPage: (query: HistoryQuery) => Promise<HistoryPage<T>>,
  integrationOf: (item: T) => string | null,
  /** Entries without an integration that the user may still see (their own sign-ins). */
  showUnscoped: (item: T) => boolean = () => false,
): Promise<HistoryPage<T>> {
  if (integration) return fetchPage({ integrationId: integration, limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) });
  const items: T[] = [];
  let next = cursor;
  for (let scans = 0; scans < MAX_SCANS; scans += 1) {
    const page = await fetchPage({ limit: PAGE_SIZE, ...(next ? { cursor: next } : {}) });
    for (const item of page.items) {
      const id = integrationOf(item);
      if (id === null ? showUnscoped(item) : roles.has(id)) items.push(item);
    }
    next = page.nextCursor ?? undefined;
    if (!next || items.length >= PAGE_SIZE) break;
  }
  return { items, nextCursor: next ?? null };
}
