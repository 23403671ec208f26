import type { Kysely } from 'kysely';

/**
 * Pull request checks: one report per pull request and head SHA (what the details page shows),
 * and the latest head SHA seen per pull request, so an older audit never writes over a newer one.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('pr_check_reports')
    .addColumn('id', 'varchar(32)', (column) => column.primaryKey())
    .addColumn('installation_id', 'bigint', (column) => column.notNull())
    .addColumn('repository_id', 'bigint', (column) => column.notNull())
    .addColumn('repository', 'varchar(256)', (column) => column.notNull())
    .addColumn('pull_number', 'integer', (column) => column.notNull())
    .addColumn('head_sha', 'varchar(64)', (column) => column.notNull())
    .addColumn('title', 'text', (column) => column.notNull())
    .addColumn('state', 'varchar(16)', (column) => column.notNull())
    .addColumn('description', 'varchar(256)', (column) => column.notNull())
    .addColumn('config_fingerprint', 'varchar(64)')
    .addColumn('report', 'text', (column) => column.notNull())
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addColumn('updated_at', 'bigint', (column) => column.notNull())
    .execute();
  await db.schema
    .createIndex('pr_check_reports_commit')
    .on('pr_check_reports')
    .columns(['repository_id', 'pull_number', 'head_sha'])
    .unique()
    .execute();
  await db.schema
    .createIndex('pr_check_reports_installation')
    .on('pr_check_reports')
    .columns(['installation_id', 'updated_at'])
    .execute();
  await db.schema
    .createTable('pr_check_heads')
    .addColumn('repository_id', 'bigint', (column) => column.notNull())
    .addColumn('pull_number', 'integer', (column) => column.notNull())
    .addColumn('installation_id', 'bigint', (column) => column.notNull())
    .addColumn('head_sha', 'varchar(64)', (column) => column.notNull())
    .addColumn('pr_updated_at', 'bigint', (column) => column.notNull())
    .addColumn('recorded_at', 'bigint', (column) => column.notNull())
    .addPrimaryKeyConstraint('pr_check_heads_pk', ['repository_id', 'pull_number'])
    .execute();
}
