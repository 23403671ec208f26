import { Hono } from 'hono';
import { z } from 'zod';
import { getDelivery, listDeliveries, requeueDelivery } from '../inbox/deliveries.js';
import type { Store } from '../store/database.js';
import type { DeliveriesTable } from '../store/schema.js';

const ListQuerySchema = z.object({
  status: z.enum(['queued', 'processing', 'processed', 'failed', 'dead', 'ignored']).optional(),
  installation: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

type DeliverySummary = Pick<
  DeliveriesTable,
  | 'id'
  | 'event'
  | 'action'
  | 'installation_id'
  | 'repository'
  | 'status'
  | 'attempts'
  | 'error'
  | 'received_at'
  | 'next_attempt_at'
  | 'processed_at'
>;

function toJson(row: DeliverySummary) {
  return {
    id: row.id,
    event: row.event,
    action: row.action,
    status: row.status,
    attempts: row.attempts,
    error: row.error,
    installationId: row.installation_id,
    repository: row.repository,
    receivedAt: new Date(row.received_at).toISOString(),
    nextAttemptAt:
      row.status === 'failed' || row.status === 'queued' ? new Date(row.next_attempt_at).toISOString() : null,
    processedAt: row.processed_at === null ? null : new Date(row.processed_at).toISOString(),
  };
}

export function deliveriesApi({
  store,
  onRequeued,
  now = Date.now,
}: {
  store: Store;
  onRequeued: () => void;
  now?: () => number;
}) {
  const api = new Hono();
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
    const rows = await listDeliveries(store, {
      limit: query.data.limit,
      ...(query.data.status ? { status: query.data.status } : {}),
      ...(query.data.installation ? { installationId: query.data.installation } : {}),
    });
    return c.json(rows.map(toJson));
  });
  api.get('/:id', async (c) => {
    const row = await getDelivery(store, c.req.param('id'));
    if (!row) return c.json({ error: 'No delivery with that id.' }, 404);
    return c.json(toJson(row));
  });
  api.post('/:id/retry', async (c) => {
    const id = c.req.param('id');
    const row = await requeueDelivery(store, id, now());
    if (row) {
      onRequeued();
      return c.json(toJson(row), 202);
    }
    const existing = await getDelivery(store, id);
    if (!existing) return c.json({ error: 'No delivery with that id.' }, 404);
    return c.json({ error: `Only failed or dead deliveries can be retried; this one is ${existing.status}.` }, 409);
  });
  return api;
}
