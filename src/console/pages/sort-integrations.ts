/** Sorting and filtering of the integrations table (every column sorts; text, state and provider filter). */
import type { IntegrationSummary, IntegrationsQuery, SortKey } from './view.js';

/** Rows per page of the integrations table. */
export const PAGE_ROWS = 100;

export const SORT_KEYS: readonly SortKey[] = [
  'name',
  'provider',
  'services',
  'repositories',
  'addedBy',
  'status',
  'updated',
  'verified',
];

/** Reads `?sort=&dir=&q=&state=&provider=`; unknown values fall back to the default (name, ascending). */
export function readIntegrationsQuery(query: Record<string, string | undefined>): IntegrationsQuery {
  const sort = SORT_KEYS.find((key) => key === query.sort) ?? 'name';
  return {
    sort,
    descending: query.dir === 'desc',
    text: (query.q ?? '').trim().slice(0, 200),
    state: (query.state ?? '').trim().slice(0, 40),
    provider: (query.provider ?? '').trim().slice(0, 40),
    page: /^\d{1,5}$/.test(query.page ?? '') ? Math.max(1, Number(query.page)) : 1,
  };
}

type SortValue = string | number;

function sortValue(integration: IntegrationSummary, key: SortKey): SortValue {
  switch (key) {
    case 'name':
      return integration.name.toLowerCase();
    case 'provider':
      return `${integration.provider} ${integration.host}`;
    case 'services':
      return integration.servicesOn.length;
    case 'repositories':
      return integration.repositoryCount ?? -1;
    case 'addedBy':
      return (integration.addedBy ?? '').toLowerCase();
    case 'status':
      return integration.status.state;
    case 'updated':
      return integration.lastUpdatedAt ?? -1;
    case 'verified':
      return integration.lastVerifiedAt ?? -1;
  }
}

function matches(integration: IntegrationSummary, query: IntegrationsQuery): boolean {
  if (query.state && integration.status.state !== query.state) return false;
  if (query.provider && integration.provider !== query.provider) return false;
  if (!query.text) return true;
  const needle = query.text.toLowerCase();
  return [integration.name, integration.account, integration.host, integration.addedBy ?? ''].some((field) =>
    field.toLowerCase().includes(needle),
  );
}

export function sortIntegrations(
  integrations: readonly IntegrationSummary[],
  query: IntegrationsQuery,
): IntegrationSummary[] {
  const direction = query.descending ? -1 : 1;
  return integrations
    .filter((integration) => matches(integration, query))
    .map((integration) => ({ integration, value: sortValue(integration, query.sort) }))
    .sort((a, b) => {
      if (a.value < b.value) return -direction;
      if (a.value > b.value) return direction;
      return a.integration.id.localeCompare(b.integration.id);
    })
    .map(({ integration }) => integration);
}
