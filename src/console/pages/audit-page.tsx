/** `GET /console/audit`: who did what and when, newest first, paged by cursor. */
import type { FC } from 'hono/jsx';
import { Layout, toQuery } from './layout.js';
import { AuditTable } from './tables.js';
import type { AuditLogView } from './view.js';

export const AuditPage: FC<AuditLogView> = (view) => (
  <Layout title="Audit log" nav="audit" user={view.user} assets={view.assets} flash={view.flash}>
    <div class="Subhead">
      <h1 class="Subhead-heading">Audit log</h1>
      {view.integration ? (
        <div class="Subhead-description">
          {`For ${view.names.get(view.integration) ?? view.integration}. `}
          <a href="/console/audit">Show all</a>
        </div>
      ) : null}
    </div>
    <AuditTable entries={view.entries} names={view.names} label="Audit log" />
    {view.nextCursor ? (
      <nav class="paginate-container" aria-label="Pages">
        <a
          class="next_page"
          rel="next"
          href={`/console/audit${toQuery({ integration: view.integration, cursor: view.nextCursor })}`}
        >
          Older entries
        </a>
      </nav>
    ) : null}
  </Layout>
);
