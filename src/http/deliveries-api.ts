import { Hono } from 'hono';
import { z } from 'zod';
import { getDelivery, listDeliveries, requeueDelivery, toDeliveryJson } from '../inbox/deliveries.js';
import type { Store } from '../store/database.js';

const ListQuerySchema = z.object({
  status: z.enum(['queued', 'processing', 'processed', 'failed', 'dead', 'ignored']).optional(),
  installation: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

/**
 * Set by the API's auth for a console session: the installations the user may see. The list is
 * filtered in the query, so a page is never cut short by deliveries the user may not see.
 */
export type DeliveriesApiEnv = { Variables: { visibleInstallations: readonly number[] | undefined } };

export function deliveriesApi({
  store,
  onRequeued,
  now = Date.now,
}: {
  store: Store;
  onRequeued: () => void;
  now?: () => number;
}) {
  const api = new Hono<DeliveriesApiEnv>();
  api.get('/', async (c) => {
    const query = ListQuerySchema.safeParse(c.req.query());
    if (!query.success) {
      return c.json(
        {
          error: `Invalid query: ${query.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`).join('; ')}`,
        },
        400,
      );
    }
    const visible = c.get('visibleInstallations');
    const rows = await listDeliveries(store, {
      limit: query.data.limit,
      ...(visible ? { installationIds: visible } : {}),
      ...(query.data.status ? { status: query.data.status } : {}),
      ...(query.data.installation ? { installationId: query.data.installation } : {}),
    });
    return c.json(rows.map(toDeliveryJson));
  });
  api.get('/:id', async (c) => {
    const row = await getDelivery(store, c.req.param('id'));
    if (!row) return c.json({ error: 'No delivery with that id.' }, 404);
    return c.json(toDeliveryJson(row));
  });
  api.post('/:id/retry', async (c) => {
    const id = c.req.param('id');
    const row = await requeueDelivery(store, id, now());
    if (row) {
      onRequeued();
      return c.json(toDeliveryJson(row), 202);
    }
    const existing = await getDelivery(store, id);
    if (!existing) return c.json({ error: 'No delivery with that id.' }, 404);
    return c.json({ error: `Only failed or dead deliveries can be retried; this one is ${existing.status}.` }, 409);
  });
  return api;
}
