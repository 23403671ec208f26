/** `GET /console`: the integrations table (Flow's columns), Add integration, and bulk actions. */
import type { FC } from 'hono/jsx';
import { CsrfField, DataStatusLabels, Layout, Time, providerName, toQuery } from './layout.js';
import { PAGE_ROWS, sortIntegrations } from './sort-integrations.js';
import type { IntegrationsQuery, IntegrationsView, SortKey } from './view.js';

const COLUMNS: { key: SortKey; label: string }[] = [
  { key: 'name', label: 'Name' },
  { key: 'provider', label: 'Provider' },
  { key: 'services', label: 'Services on' },
  { key: 'repositories', label: 'Repositories' },
  { key: 'addedBy', label: 'Added by' },
  { key: 'status', label: 'Data status' },
  { key: 'updated', label: 'Last updated' },
  { key: 'verified', label: 'Last verified' },
];

const STATES = ['connected', 'degraded', 'pending', 'suspended', 'unauthorized', 'unreachable', 'uninstalled'];

function pageHref(query: IntegrationsQuery, page: number): string {
  return `/console${toQuery({ sort: query.sort, dir: query.descending ? 'desc' : undefined, q: query.text, state: query.state, provider: query.provider, page: page > 1 ? String(page) : undefined })}`;
}

function sortHref(query: IntegrationsQuery, key: SortKey): string {
  const descending = query.sort === key && !query.descending;
  return `/console${toQuery({ sort: key, dir: descending ? 'desc' : undefined, q: query.text, state: query.state, provider: query.provider })}`;
}

const SortHeader: FC<{ query: IntegrationsQuery; column: { key: SortKey; label: string } }> = ({ query, column }) => {
  const active = query.sort === column.key;
  return (
    <th scope="col" aria-sort={active ? (query.descending ? 'descending' : 'ascending') : undefined}>
      <a href={sortHref(query, column.key)}>
        {column.label}
        {active ? (query.descending ? ' ↓' : ' ↑') : ''}
      </a>
    </th>
  );
};

const Filters: FC<{ query: IntegrationsQuery }> = ({ query }) => (
  <form method="get" action="/console" class="d-flex flex-wrap flex-items-end keel-filters mb-3">
    <input type="hidden" name="sort" value={query.sort} />
    {query.descending ? <input type="hidden" name="dir" value="desc" /> : null}
    <div class="mr-2 mb-2">
      <label for="filter-text" class="d-block">
        Filter
      </label>
      <input
        id="filter-text"
        class="form-control"
        type="search"
        name="q"
        value={query.text}
        placeholder="Name, account, host"
      />
    </div>
    <div class="mr-2 mb-2">
      <label for="filter-state" class="d-block">
        Data status
      </label>
      <select id="filter-state" class="form-select" name="state">
        <option value="">Any</option>
        {STATES.map((state) => (
          <option value={state} selected={query.state === state}>
            {state}
          </option>
        ))}
      </select>
    </div>
    <div class="mr-2 mb-2">
      <label for="filter-provider" class="d-block">
        Provider
      </label>
      <select id="filter-provider" class="form-select" name="provider">
        <option value="">Any</option>
        <option value="github" selected={query.provider === 'github'}>
          GitHub
        </option>
        <option value="github-enterprise" selected={query.provider === 'github-enterprise'}>
          GitHub Enterprise Server
        </option>
      </select>
    </div>
    <button type="submit" class="btn mb-2">
      Apply
    </button>
  </form>
);

export const IntegrationsPage: FC<IntegrationsView> = (view) => {
  const sorted = sortIntegrations(view.integrations, view.query);
  const pages = Math.max(1, Math.ceil(sorted.length / PAGE_ROWS));
  const page = Math.min(view.query.page, pages);
  const rows = sorted.slice((page - 1) * PAGE_ROWS, page * PAGE_ROWS);
  const bulk = view.integrations.some((integration) => integration.role === 'delete');
  return (
    <Layout title="Integrations" nav="integrations" user={view.user} assets={view.assets} flash={view.flash}>
      <div class="Subhead">
        <h1 class="Subhead-heading">Integrations</h1>
        <div class="Subhead-actions d-flex flex-wrap">
          {bulk ? (
            <>
              <form method="post" action="/console/bulk/test" class="mr-2">
                <CsrfField token={view.user.csrfToken} />
                <button type="submit" class="btn">
                  Test all
                </button>
              </form>
              <form method="post" action="/console/bulk/update" class="mr-2">
                <CsrfField token={view.user.csrfToken} />
                <button type="submit" class="btn">
                  Update all
                </button>
              </form>
            </>
          ) : null}
        </div>
      </div>
      <section aria-labelledby="add-heading" class="Box mb-4">
        <div class="Box-header">
          <h2 id="add-heading" class="Box-title">
            Add integration
          </h2>
        </div>
        <div class="Box-row d-flex flex-wrap flex-items-center flex-justify-between">
          <p class="m-0 mr-3">
            <strong>{view.providerName}</strong>: install the Keel app on an organization or account, pick its
            repositories and approve its permissions. You come back here when GitHub is done.
          </p>
          <a class="btn btn-primary mt-2 keel-wrap" href={view.installUrl}>
            Connect {view.providerName}
          </a>
        </div>
      </section>
      <Filters query={view.query} />
      {sorted.length === 0 ? (
        <div class="blankslate">
          <p>
            {view.integrations.length === 0
              ? 'No integration yet. Add one above.'
              : 'No integration matches the filter.'}
          </p>
        </div>
      ) : (
        <div class="keel-scroll" tabindex={0} role="region" aria-label="Integrations table">
          <table class="keel-table">
            <caption class="sr-only">{`${rows.length} of ${view.integrations.length} integrations`}</caption>
            <thead>
              <tr>
                {COLUMNS.map((column) => (
                  <SortHeader query={view.query} column={column} />
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((integration) => (
                <tr>
                  <th scope="row">
                    <a href={`/console/integrations/${encodeURIComponent(integration.id)}`}>{integration.name}</a>
                    {integration.name !== integration.account ? (
                      <div class="color-fg-muted f6">{integration.account}</div>
                    ) : null}
                  </th>
                  <td>{providerName(integration.provider, integration.host)}</td>
                  <td>{integration.servicesOn.length === 0 ? 'none' : integration.servicesOn.join(', ')}</td>
                  <td>
                    <a href={`/console/integrations/${encodeURIComponent(integration.id)}#repositories`}>
                      {integration.repositoryCount ?? '?'}
                    </a>
                  </td>
                  <td>{integration.addedBy ?? <span class="color-fg-muted">unknown</span>}</td>
                  <td>
                    <DataStatusLabels status={integration.status} />
                  </td>
                  <td>
                    <Time at={integration.lastUpdatedAt} />
                  </td>
                  <td>
                    <Time at={integration.lastVerifiedAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {pages > 1 ? (
        <nav class="paginate-container" aria-label="Pages">
          {page > 1 ? (
            <a class="previous_page mr-3" rel="prev" href={pageHref(view.query, page - 1)}>
              Previous
            </a>
          ) : null}
          <span class="mr-3">{`Page ${page} of ${pages}`}</span>
          {page < pages ? (
            <a class="next_page" rel="next" href={pageHref(view.query, page + 1)}>
              Next
            </a>
          ) : null}
        </nav>
      ) : null}
    </Layout>
  );
};
