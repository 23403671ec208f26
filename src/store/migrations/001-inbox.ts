import type { Kysely } from 'kysely';
import type { Dialect } from './columns.js';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('deliveries')
    .addColumn('id', 'varchar(64)', (column) => column.primaryKey())
    .addColumn('event', 'varchar(64)', (column) => column.notNull())
    .addColumn('action', 'varchar(64)')
    .addColumn('installation_id', 'bigint')
    .addColumn('repository', 'varchar(256)')
    .addColumn('status', 'varchar(16)', (column) => column.notNull())
    .addColumn('attempts', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('error', 'text')
    .addColumn('received_at', 'bigint', (column) => column.notNull())
    .addColumn('next_attempt_at', 'bigint', (column) => column.notNull())
    .addColumn('lease_expires_at', 'bigint')
    .addColumn('claimed_by', 'varchar(128)')
    .addColumn('processed_at', 'bigint')
    .execute();
  // Payloads (often 10–50 kB) live apart, so the frequent status updates rewrite a small row only.
  await db.schema
    .createTable('delivery_payloads')
    .addColumn('id', 'varchar(64)', (column) => column.primaryKey().references('deliveries.id').onDelete('cascade'))
    .addColumn('payload', dialect === 'postgres' ? 'bytea' : 'blob', (column) => column.notNull())
    .execute();
  await db.schema.createIndex('deliveries_claimable').on('deliveries').columns(['status', 'next_attempt_at']).execute();
  await db.schema.createIndex('deliveries_received').on('deliveries').column('received_at').execute();
  await db.schema
    .createIndex('deliveries_installation')
    .on('deliveries')
    .columns(['installation_id', 'received_at'])
    .execute();
}
