/** `GET /console/deliveries/:id/payload`: a delivery's payload as GitHub sent it (manage level). */
import type { FC } from 'hono/jsx';
import { Layout } from './layout.js';
import type { PageFrame } from './view.js';

export interface PayloadView extends PageFrame {
  id: string;
  event: string;
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
    {view.payload === null ? (
      <p>The payload is no longer stored.</p>
    ) : (
      <pre class="keel-payload p-3 color-bg-subtle" tabindex={0} aria-label="Payload">
        {JSON.stringify(view.payload, null, 2)}
      </pre>
    )}
  </Layout>
);
