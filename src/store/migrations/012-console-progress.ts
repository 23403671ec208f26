import { sql, type Kysely } from 'kysely';
import type { Dialect } from './columns.js';

/**
 * The console's integrations table reads one lean row per installation: when it was last
 * verified and whether its quota was low then are kept on the installation as each verification
 * is stored (filled here from the latest stored report), so the list parses no report. And the
 * opt-in write round trip records its steps as they start and end (`write_checks`), so any
 * process can show a run in progress.
 */
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('installations').addColumn('verified_at', 'bigint').execute();
  await db.schema.alterTable('installations').addColumn('rate_limited', 'integer').execute();
  const latest = await sql<{ installation_id: number | string; at: number | string; report: string }>`
    select installation_id, at, report from reports
    where id in (select max(id) from reports group by installation_id)
  `.execute(db);
  for (const row of latest.rows) {
    // Frozen here on purpose: the rule of the day (a `rate-limit` check that warned), not later code.
    let rateLimited = 0;
    try {
      const checks = (JSON.parse(row.report) as { checks?: { name?: string; status?: string }[] }).checks ?? [];
      rateLimited = checks.some((check) => check.name === 'rate-limit' && check.status === 'warn') ? 1 : 0;
    } catch {
      rateLimited = 0;
    }
    await sql`update installations set verified_at = ${Number(row.at)}, rate_limited = ${rateLimited}
      where id = ${Number(row.installation_id)}`.execute(db);
  }

  await db.schema
    .createTable('write_checks')
    .addColumn('id', 'varchar(64)', (column) => column.primaryKey())
    .addColumn('installation_id', 'bigint', (column) => column.notNull())
    .addColumn('repository', 'varchar(256)', (column) => column.notNull())
    .addColumn('actor', 'varchar(256)')
    .addColumn('steps', 'text', (column) => column.notNull())
    .addColumn('state', 'varchar(16)')
    .addColumn('started_at', 'bigint', (column) => column.notNull())
    .addColumn('updated_at', 'bigint', (column) => column.notNull())
    .addColumn('finished_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('write_checks_installation')
    .on('write_checks')
    .columns(['installation_id', 'started_at'])
    .execute();
}
