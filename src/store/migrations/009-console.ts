import type { Kysely } from 'kysely';
import type { Dialect } from './columns.js';

/**
 * The console: signed-in sessions and role grants. A session row is keyed by the sha256 of the
 * cookie's value, and the user's GitHub token is stored sealed (AES-256-GCM), never in clear.
 * A grant names an integration (and, for GitHub, its installation, so deleting the installation's
 * data removes its grants with it) and a GitHub login.
 */
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('console_sessions')
    .addColumn('id', 'varchar(64)', (column) => column.primaryKey())
    .addColumn('user_id', 'bigint', (column) => column.notNull())
    .addColumn('login', 'varchar(256)', (column) => column.notNull())
    .addColumn('name', 'varchar(256)')
    .addColumn('avatar_url', 'varchar(1024)')
    .addColumn('sealed_token', 'text', (column) => column.notNull())
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addColumn('expires_at', 'bigint', (column) => column.notNull())
    .execute();
  await db.schema.createIndex('console_sessions_user').on('console_sessions').column('user_id').execute();

  await db.schema
    .createTable('role_grants')
    .addColumn('integration_id', 'varchar(64)', (column) => column.notNull())
    .addColumn('installation_id', 'bigint')
    .addColumn('login', 'varchar(256)', (column) => column.notNull())
    .addColumn('role', 'varchar(16)', (column) => column.notNull())
    .addColumn('granted_by', 'varchar(256)')
    .addColumn('granted_at', 'bigint', (column) => column.notNull())
    .addPrimaryKeyConstraint('role_grants_pk', ['integration_id', 'login'])
    .execute();
  await db.schema.createIndex('role_grants_login').on('role_grants').column('login').execute();
}
