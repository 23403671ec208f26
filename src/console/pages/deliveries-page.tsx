/** `GET /console/deliveries`: recent deliveries, filtered by status, event and repository, paged by cursor. */
import type { FC } from 'hono/jsx';
import { Layout, toQuery } from './layout.js';
import { DeliveriesTable } from './tables.js';
import type { DeliveriesView } from './view.js';

const STATUSES = ['queued', 'processing', 'processed', 'failed', 'dead', 'ignored'];

export const DeliveriesPage: FC<DeliveriesView> = (view) => {
  const { filters } = view;
  return (
    <Layout title="Deliveries" nav="deliveries" user={view.user} assets={view.assets} flash={view.flash}>
      <div class="Subhead">
        <h1 class="Subhead-heading">Deliveries</h1>
      </div>
      <form method="get" action="/console/deliveries" class="d-flex flex-wrap flex-items-end mb-3">
        {filters.integration ? <input type="hidden" name="integration" value={filters.integration} /> : null}
        <div class="mr-2 mb-2">
          <label for="delivery-status" class="d-block">
            Status
          </label>
          <select id="delivery-status" class="form-select" name="status">
            <option value="">Any</option>
            {STATUSES.map((status) => (
              <option value={status} selected={filters.status === status}>
                {status}
              </option>
            ))}
          </select>
        </div>
        <div class="mr-2 mb-2">
          <label for="delivery-event" class="d-block">
            Event
          </label>
          <input
            id="delivery-event"
            class="form-control"
            name="event"
            value={filters.event}
            placeholder="pull_request"
          />
        </div>
        <div class="mr-2 mb-2">
          <label for="delivery-repository" class="d-block">
            Repository
          </label>
          <input
            id="delivery-repository"
            class="form-control"
            name="repository"
            value={filters.repository}
            placeholder="owner/name"
          />
        </div>
        <button type="submit" class="btn mb-2">
          Apply
        </button>
      </form>
      <DeliveriesTable
        deliveries={view.deliveries}
        csrfToken={view.user.csrfToken}
        canManage={(id) => id !== null && view.manageable.has(id)}
        label="Deliveries"
      />
      {view.nextCursor ? (
        <nav class="paginate-container" aria-label="Pages">
          <a
            class="next_page"
            rel="next"
            href={`/console/deliveries${toQuery({ ...filters, cursor: view.nextCursor })}`}
          >
            Older deliveries
          </a>
        </nav>
      ) : null}
    </Layout>
  );
};
