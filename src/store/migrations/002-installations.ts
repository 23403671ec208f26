import type { Kysely } from 'kysely';
import { identityColumn, type Dialect } from './columns.js';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('installations')
    .addColumn('id', 'bigint', (column) => column.primaryKey())
    .addColumn('account_login', 'varchar(256)', (column) => column.notNull())
    .addColumn('account_type', 'varchar(32)', (column) => column.notNull())
    .addColumn('account_id', 'bigint', (column) => column.notNull())
    .addColumn('installed_by', 'varchar(256)')
    .addColumn('repository_selection', 'varchar(16)', (column) => column.notNull())
    .addColumn('permissions', 'text', (column) => column.notNull())
    .addColumn('events', 'text', (column) => column.notNull())
    .addColumn('suspended_at', 'bigint')
    .addColumn('suspended_by', 'varchar(256)')
    .addColumn('state', 'varchar(16)', (column) => column.notNull())
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addColumn('updated_at', 'bigint', (column) => column.notNull())
    .execute();
  await db.schema
    .createTable('repositories')
    .addColumn('id', 'bigint', (column) => column.primaryKey())
    .addColumn('installation_id', 'bigint', (column) => column.notNull())
    .addColumn('full_name', 'varchar(256)', (column) => column.notNull())
    .addColumn('private', 'integer', (column) => column.notNull())
    .execute();
  await db.schema.createIndex('repositories_installation').on('repositories').column('installation_id').execute();
  await db.schema
    .createTable('reports')
    .addColumn('id', 'integer', identityColumn(dialect))
    .addColumn('installation_id', 'bigint', (column) => column.notNull())
    .addColumn('at', 'bigint', (column) => column.notNull())
    .addColumn('state', 'varchar(16)', (column) => column.notNull())
    .addColumn('report', 'text', (column) => column.notNull())
    .execute();
  await db.schema.createIndex('reports_installation').on('reports').columns(['installation_id', 'at']).execute();
  await db.schema
    .createTable('audit')
    .addColumn('id', 'integer', identityColumn(dialect))
    .addColumn('installation_id', 'bigint')
    .addColumn('at', 'bigint', (column) => column.notNull())
    .addColumn('actor', 'varchar(256)')
    .addColumn('action', 'varchar(64)', (column) => column.notNull())
    .addColumn('detail', 'text')
    .execute();
  await db.schema
    .createTable('redeliveries')
    .addColumn('github_delivery_id', 'bigint', (column) => column.primaryKey())
    .addColumn('guid', 'varchar(64)', (column) => column.notNull())
    .addColumn('requested_at', 'bigint', (column) => column.notNull())
    .addColumn('outcome', 'varchar(32)', (column) => column.notNull())
    .execute();
}
