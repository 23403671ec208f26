/**
 * The "is this key busy" look-ups read only deliveries still to run or running. 008's index held
 * every keyed delivery, processed ones included (kept 14 days), so a busy pull request or a
 * repository's pushes made each claim walk the key's whole history, once per candidate: with a
 * thousand deliveries of one key, a claim took tens of milliseconds of the event loop. This
 * partial index holds a delivery only while it is queued, processing or failed, by key and
 * status, so "is one running" and "is an earlier one waiting" are each one index seek. The
 * queries name the same status list, literally, so SQLite and Postgres can use it.
 */
import { sql, type Kysely } from 'kysely';
import type { Dialect } from './columns.js';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.dropIndex('deliveries_concurrency_key').execute();
  await db.schema
    .createIndex('deliveries_active_key')
    .on('deliveries')
    .columns(['concurrency_key', 'status', 'seq'])
    .where(sql<boolean>`concurrency_key is not null and status in ('queued', 'processing', 'failed')`)
    .execute();
}
