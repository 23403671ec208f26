/** The deliveries and audit tables, shown on their own pages and on an integration's page. */
import type { FC } from 'hono/jsx';
import { CsrfField, Time } from './layout.js';
import type { AuditView, DeliveryView } from './view.js';

const DELIVERY_LABELS: Record<string, string> = {
  queued: 'accent',
  processing: 'accent',
  processed: 'success',
  failed: 'attention',
  dead: 'danger',
  ignored: 'secondary',
};

function formatDuration(ms: number | null): string {
  if (ms === null) return '–';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export interface DeliveriesTableProps {
  deliveries: DeliveryView[];
  csrfToken: string;
  /** Whether the user may retry (and see the payload of) a delivery of this integration. */
  canManage: (integrationId: string | null) => boolean;
  label: string;
}

export const DeliveriesTable: FC<DeliveriesTableProps> = ({ deliveries, csrfToken, canManage, label }) =>
  deliveries.length === 0 ? (
    <p class="color-fg-muted">No delivery.</p>
  ) : (
    <div class="keel-scroll" tabindex={0} role="region" aria-label={label}>
      <table class="keel-table">
        <thead>
          <tr>
            <th scope="col">Event</th>
            <th scope="col">Repository</th>
            <th scope="col">Status</th>
            <th scope="col">Attempts</th>
            <th scope="col">Last error</th>
            <th scope="col">Duration</th>
            <th scope="col">Received</th>
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {deliveries.map((delivery) => {
            const manage = canManage(delivery.integrationId);
            return (
              <tr>
                <td>
                  <code>{delivery.action ? `${delivery.event}.${delivery.action}` : delivery.event}</code>
                </td>
                <td>{delivery.repository ?? <span class="color-fg-muted">–</span>}</td>
                <td>
                  <span class={`Label Label--${DELIVERY_LABELS[delivery.status] ?? 'secondary'}`}>
                    {delivery.status}
                  </span>
                </td>
                <td>{delivery.attempts}</td>
                <td class="keel-error">{delivery.error ?? ''}</td>
                <td>{formatDuration(delivery.durationMs)}</td>
                <td>
                  <Time at={delivery.receivedAt} />
                </td>
                <td class="keel-actions">
                  {manage && (delivery.status === 'failed' || delivery.status === 'dead') ? (
                    <form method="post" action={`/console/deliveries/${encodeURIComponent(delivery.id)}/retry`}>
                      <CsrfField token={csrfToken} />
                      <button type="submit" class="btn btn-sm" aria-label={`Retry delivery ${delivery.id}`}>
                        Retry
                      </button>
                    </form>
                  ) : null}
                  {manage ? (
                    <a
                      class="btn btn-sm btn-invisible"
                      href={`/console/deliveries/${encodeURIComponent(delivery.id)}/payload`}
                      aria-label={`Payload of delivery ${delivery.id}`}
                    >
                      Payload
                    </a>
                  ) : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );

export const AuditTable: FC<{ entries: AuditView[]; names?: ReadonlyMap<string, string>; label: string }> = ({
  entries,
  names,
  label,
}) =>
  entries.length === 0 ? (
    <p class="color-fg-muted">Nothing recorded yet.</p>
  ) : (
    <div class="keel-scroll" tabindex={0} role="region" aria-label={label}>
      <table class="keel-table">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">What</th>
            {names ? <th scope="col">Integration</th> : null}
            <th scope="col">Detail</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => (
            <tr>
              <td>
                <Time at={entry.at} />
              </td>
              <td>{entry.actor ?? <span class="color-fg-muted">GitHub</span>}</td>
              <td>
                <code>{entry.action}</code>
              </td>
              {names ? (
                <td>
                  {entry.integrationId ? (
                    <a href={`/console/integrations/${encodeURIComponent(entry.integrationId)}`}>
                      {names.get(entry.integrationId) ?? entry.integrationId}
                    </a>
                  ) : (
                    '–'
                  )}
                </td>
              ) : null}
              <td class="keel-error">{entry.detail ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
