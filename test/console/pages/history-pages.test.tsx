import { describe, expect, it } from 'vitest';
import { AuditPage } from '../../../src/console/pages/audit-page.js';
import { DeliveriesPage } from '../../../src/console/pages/deliveries-page.js';
import type { DeliveryView } from '../../../src/console/pages/view.js';
import { AT, frame, render } from './views.js';

function delivery(overrides: Partial<DeliveryView> = {}): DeliveryView {
  return {
    id: 'guid-1',
    event: 'pull_request',
    action: 'opened',
    repository: 'acme/api',
    status: 'dead',
    attempts: 5,
    error: 'GitHub answered 502',
    receivedAt: AT,
    durationMs: 1500,
    integrationId: '42',
    ...overrides,
  };
}

const NO_FILTERS = { status: '', event: '', repository: '', integration: '' };

describe('the deliveries page', () => {
  it('shows event, repository, status, attempts, last error and duration', async () => {
    const html = await render(
      <DeliveriesPage
        {...frame()}
        deliveries={[delivery()]}
        filters={NO_FILTERS}
        nextCursor={null}
        manageable={new Set(['42'])}
      />,
    );
    expect(html).toContain(
      '<td><code>pull_request.opened</code></td><td>acme/api</td><td><span class="Label Label--danger">dead</span></td><td>5</td><td class="keel-error">GitHub answered 502</td><td>1.5 s</td>',
    );
  });

  it('offers Retry on failed and dead deliveries only, to the manage level only', async () => {
    const deliveries = [
      delivery(),
      delivery({ id: 'guid-2', status: 'processed' }),
      delivery({ id: 'guid-3', integrationId: '77' }),
    ];
    const html = await render(
      <DeliveriesPage
        {...frame()}
        deliveries={deliveries}
        filters={NO_FILTERS}
        nextCursor={null}
        manageable={new Set(['42'])}
      />,
    );
    expect([...html.matchAll(/action="\/console\/deliveries\/([^/]+)\/retry"/g)].map((m) => m[1])).toEqual(['guid-1']);
  });

  it('pages by cursor, keeping the filters', async () => {
    const html = await render(
      <DeliveriesPage
        {...frame()}
        deliveries={[delivery()]}
        filters={{ ...NO_FILTERS, status: 'dead', event: 'push' }}
        nextCursor="1234"
        manageable={new Set()}
      />,
    );
    expect(html).toContain(
      'href="/console/deliveries?status=dead&amp;event=push&amp;cursor=1234">Older deliveries</a>',
    );
    expect(html).toContain('<option value="dead" selected="">dead</option>');
  });
});

describe('the audit log', () => {
  it('says who did what, when, on which integration', async () => {
    const html = await render(
      <AuditPage
        {...frame()}
        entries={[
          { at: AT, actor: 'octocat', action: 'integration.services', detail: '{"ci":false}', integrationId: '42' },
        ]}
        integration=""
        nextCursor={null}
        names={new Map([['42', 'Acme production']])}
      />,
    );
    expect(html).toContain(
      '<td><time datetime="2026-11-30T12:00:00.000Z">2026-11-30 12:00 UTC</time></td><td>octocat</td><td><code>integration.services</code></td><td><a href="/console/integrations/42">Acme production</a></td><td class="keel-error">{&quot;ci&quot;:false}</td>',
    );
  });
});
