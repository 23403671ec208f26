import type { Kysely } from 'kysely';

/**
 * `/keel` commands: one row per command comment Keel answered or is answering (so a delivery
 * handled twice replies once), and the pull request check findings people accepted with
 * `/keel ignore` (who, why, when), per pull request and finding.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('command_replies')
    .addColumn('repository_id', 'bigint', (column) => column.notNull())
    .addColumn('comment_key', 'varchar(128)', (column) => column.notNull())
    .addColumn('installation_id', 'bigint', (column) => column.notNull())
    .addColumn('state', 'varchar(16)', (column) => column.notNull())
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addColumn('updated_at', 'bigint', (column) => column.notNull())
    .addPrimaryKeyConstraint('command_replies_pk', ['repository_id', 'comment_key'])
    .execute();
  await db.schema
    .createTable('pr_check_accepted_findings')
    .addColumn('repository_id', 'bigint', (column) => column.notNull())
    .addColumn('pull_number', 'integer', (column) => column.notNull())
    .addColumn('fingerprint', 'varchar(64)', (column) => column.notNull())
    .addColumn('installation_id', 'bigint', (column) => column.notNull())
    .addColumn('rule', 'varchar(32)', (column) => column.notNull())
    .addColumn('accepted_by', 'varchar(256)', (column) => column.notNull())
    .addColumn('reason', 'text')
    .addColumn('accepted_at', 'bigint', (column) => column.notNull())
    .addPrimaryKeyConstraint('pr_check_accepted_findings_pk', ['repository_id', 'pull_number', 'fingerprint'])
    .execute();
}
