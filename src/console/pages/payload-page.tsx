/** `GET /console/deliveries/:id/payload`: a delivery's payload as GitHub sent it (manage level). */
import type { FC } from 'hono/jsx';
import { Layout } from './layout.js';
import type { DeliveryStatus } from '../../store/schema.js';
import type { PageFrame } from './view.js';

export interface PayloadView extends PageFrame {
  id: string;
  event: string;
  status: DeliveryStatus;
  payload: unknown;
}

export const PayloadPage: FC<PayloadView> = (view) => (
  <Layout title={`Delivery ${view.id}`} nav="deliveries" user={view.user} assets={view.assets} flash={view.flash}>
    <nav aria-label="Breadcrumb" class="mb-2">
      <a href="/console/deliveries">Deliveries</a> / {view.id}
    </nav>
    <h1 class="h2 mb-3">
      <code>{view.event}</code> delivery {view.id}
    </h1>
    {view.payload === null && (view.status === 'ignored' || view.status === 'processed') ? (
      <p>
        Keel had nothing to run for this delivery (an event or action it does not handle, or a comment without a{' '}
        <code>/keel</code> command), so it did not keep the payload. For three days after it was sent, the app's
        delivery log on GitHub (Advanced, Recent Deliveries) shows it, with Keel's answer saying why it was not run.
      </p>
    ) : view.payload === null ? (
      <p>The payload is no longer stored.</p>
    ) : (
      <pre class="keel-payload p-3 color-bg-subtle" tabindex={0} aria-label="Payload">
        {JSON.stringify(view.payload, null, 2)}
      </pre>
    )}
  </Layout>
);
