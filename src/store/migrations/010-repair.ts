import type { Kysely } from 'kysely';

/**
 * Workflow repair: the last scan per repository (the workflows listing's ETag and what it found,
 * so an unchanged re-scan costs conditional reads only), what Keel learnt per action reference
 * from its action.yml, the bot pull requests opened per installation (the hourly cap), the
 * repositories waiting past that cap, and dry-run reports for the signed details page.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('repair_scans')
    .addColumn('repository_id', 'bigint', (column) => column.primaryKey())
    .addColumn('installation_id', 'bigint', (column) => column.notNull())
    .addColumn('listing_etag', 'varchar(256)')
    .addColumn('pulls_etag', 'varchar(256)')
    .addColumn('pulls', 'text', (column) => column.notNull())
    .addColumn('table_fingerprint', 'varchar(64)', (column) => column.notNull())
    .addColumn('files', 'text', (column) => column.notNull())
    .addColumn('findings', 'text', (column) => column.notNull())
    .addColumn('updated_at', 'bigint', (column) => column.notNull())
    .execute();
  await db.schema
    .createTable('repair_action_facts')
    .addColumn('uses', 'varchar(512)', (column) => column.primaryKey())
    .addColumn('facts', 'text', (column) => column.notNull())
    .addColumn('checked_at', 'bigint', (column) => column.notNull())
    .execute();
  await db.schema
    .createTable('repair_openings')
    .addColumn('installation_id', 'bigint', (column) => column.notNull())
    .addColumn('repository_id', 'bigint', (column) => column.notNull())
    .addColumn('branch', 'varchar(128)', (column) => column.notNull())
    .addColumn('opened_at', 'bigint', (column) => column.notNull())
    .execute();
  await db.schema
    .createIndex('repair_openings_installation')
    .on('repair_openings')
    .columns(['installation_id', 'opened_at'])
    .execute();
  await db.schema
    .createTable('repair_queue')
    .addColumn('repository_id', 'bigint', (column) => column.primaryKey())
    .addColumn('installation_id', 'bigint', (column) => column.notNull())
    .addColumn('owner', 'varchar(256)', (column) => column.notNull())
    .addColumn('name', 'varchar(256)', (column) => column.notNull())
    .addColumn('trigger', 'varchar(32)', (column) => column.notNull())
    .addColumn('queued_at', 'bigint', (column) => column.notNull())
    .execute();
  await db.schema
    .createTable('repair_reports')
    .addColumn('id', 'varchar(32)', (column) => column.primaryKey())
    .addColumn('installation_id', 'bigint', (column) => column.notNull())
    .addColumn('repository_id', 'bigint', (column) => column.notNull())
    .addColumn('repository', 'varchar(256)', (column) => column.notNull())
    .addColumn('findings', 'text', (column) => column.notNull())
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .execute();
}
