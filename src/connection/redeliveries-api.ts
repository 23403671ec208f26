/** GET /api/redeliveries: what the latest missed-delivery run found, and what Keel asked for. */
import { Hono } from 'hono';
import type { Store } from '../store/database.js';
import { readSchedule } from './schedules.js';

export function redeliveriesApi({ store, scheduleName }: { store: Store; scheduleName: string }) {
  const api = new Hono();
  api.get('/', async (c) => {
    const schedule = await readSchedule(store, scheduleName);
    const rows = await store.db
      .selectFrom('redeliveries')
      .selectAll()
      .orderBy('requested_at', 'desc')
      .orderBy('github_delivery_id', 'desc')
      .limit(100)
      .execute();
    return c.json({
      lastRun: schedule?.last_result ? (JSON.parse(schedule.last_result) as unknown) : null,
      nextRunAt: schedule ? new Date(schedule.next_run_at).toISOString() : null,
      redeliveries: rows.map((row) => ({
        githubDeliveryId: Number(row.github_delivery_id),
        guid: row.guid,
        installationId: row.installation_id === null ? null : Number(row.installation_id),
        requestedAt: new Date(row.requested_at).toISOString(),
        outcome: row.outcome,
      })),
    });
  });
  return api;
}
