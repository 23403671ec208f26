import type { Kysely } from 'kysely';

/**
 * Integrations: what an admin connected and how Keel may act there. A GitHub integration is one
 * installation (`installation_id`); other providers keep their own `external_id` and leave it null,
 * so a second forge adds rows, not columns. Services and exclusions are JSON text.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('integrations')
    .addColumn('id', 'varchar(64)', (column) => column.primaryKey())
    .addColumn('provider', 'varchar(32)', (column) => column.notNull())
    .addColumn('host', 'varchar(256)', (column) => column.notNull())
    .addColumn('external_id', 'varchar(128)', (column) => column.notNull())
    .addColumn('installation_id', 'bigint')
    .addColumn('name', 'varchar(256)', (column) => column.notNull())
    .addColumn('added_by', 'varchar(256)')
    .addColumn('services', 'text', (column) => column.notNull())
    .addColumn('exclusions', 'text', (column) => column.notNull())
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addColumn('updated_at', 'bigint', (column) => column.notNull())
    .execute();
  await db.schema
    .createIndex('integrations_external')
    .on('integrations')
    .columns(['provider', 'host', 'external_id'])
    .unique()
    .execute();
  await db.schema.createIndex('integrations_installation').on('integrations').column('installation_id').execute();
}
