/**
 * Deliveries get `concurrency_key`: deliveries that share one (a pull request, a workflow on a
 * branch, a repository's pushes) run one at a time, in arrival order; null means no ordering.
 * The partial index serves the claim's "is this key busy" look-up and costs nothing for the
 * deliveries without a key.
 */
import { sql, type Kysely } from 'kysely';
import type { Dialect } from './columns.js';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('deliveries').addColumn('concurrency_key', 'varchar(255)').execute();
  await db.schema
    .createIndex('deliveries_concurrency_key')
    .on('deliveries')
    .columns(['concurrency_key', 'seq'])
    .where(sql.ref('concurrency_key'), 'is not', null)
    .execute();
}
