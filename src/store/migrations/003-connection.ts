import type { Kysely } from 'kysely';

/**
 * Connection: a claimable row per background job (one process wins each run), the repository
 * count verification observes (the `created` payload omits the list for "all repositories"), and
 * redeliveries tied to their installation and unique per delivery guid (never asked twice).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('schedules')
    .addColumn('name', 'varchar(64)', (column) => column.primaryKey())
    .addColumn('next_run_at', 'bigint', (column) => column.notNull())
    .addColumn('claimed_by', 'varchar(128)')
    .addColumn('claimed_at', 'bigint')
    .addColumn('last_success_at', 'bigint')
    .addColumn('last_result', 'text')
    .execute();
  await db.schema.alterTable('installations').addColumn('repository_count', 'integer').execute();
  await db.schema.alterTable('redeliveries').addColumn('installation_id', 'bigint').execute();
  await db.schema.createIndex('redeliveries_guid').on('redeliveries').column('guid').unique().execute();
  await db.schema.createIndex('audit_installation').on('audit').columns(['installation_id', 'at']).execute();
}
