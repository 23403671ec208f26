import type { Kysely } from 'kysely';

/**
 * CI diagnosis: the failed run attempts Keel diagnosed (each one a diagnosis page) and the
 * diagnosis of each failed job; what Keel last reported per commit, per pull request (its one
 * comment) and per workflow on the default branch (its one tracking issue); flaky tests seen.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('ci_runs')
    .addColumn('id', 'varchar(32)', (column) => column.primaryKey())
    .addColumn('installation_id', 'bigint', (column) => column.notNull())
    .addColumn('repository_id', 'bigint', (column) => column.notNull())
    .addColumn('repository', 'varchar(256)', (column) => column.notNull())
    .addColumn('run_id', 'bigint', (column) => column.notNull())
    .addColumn('run_attempt', 'integer', (column) => column.notNull())
    .addColumn('workflow_id', 'bigint', (column) => column.notNull())
    .addColumn('workflow', 'varchar(256)', (column) => column.notNull())
    .addColumn('event', 'varchar(64)', (column) => column.notNull())
    .addColumn('head_sha', 'varchar(64)', (column) => column.notNull())
    .addColumn('head_branch', 'varchar(256)')
    .addColumn('conclusion', 'varchar(32)', (column) => column.notNull())
    .addColumn('html_url', 'text', (column) => column.notNull())
    .addColumn('not_diagnosed', 'integer', (column) => column.notNull())
    .addColumn('config_error', 'text')
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addColumn('updated_at', 'bigint', (column) => column.notNull())
    .execute();
  await db.schema
    .createIndex('ci_runs_attempt')
    .on('ci_runs')
    .columns(['repository_id', 'run_id', 'run_attempt'])
    .unique()
    .execute();
  await db.schema.createIndex('ci_runs_commit').on('ci_runs').columns(['repository_id', 'head_sha']).execute();

  await db.schema
    .createTable('ci_diagnoses')
    .addColumn('repository_id', 'bigint', (column) => column.notNull())
    .addColumn('run_id', 'bigint', (column) => column.notNull())
    .addColumn('run_attempt', 'integer', (column) => column.notNull())
    .addColumn('job_id', 'bigint', (column) => column.notNull())
    .addColumn('run_key', 'varchar(32)', (column) => column.notNull())
    .addColumn('position', 'integer', (column) => column.notNull())
    .addColumn('workflow', 'varchar(256)', (column) => column.notNull())
    .addColumn('job_name', 'varchar(256)', (column) => column.notNull())
    .addColumn('head_sha', 'varchar(64)', (column) => column.notNull())
    .addColumn('diagnosis', 'text', (column) => column.notNull())
    .addColumn('flaky_recorded_at', 'bigint')
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addPrimaryKeyConstraint('ci_diagnoses_pk', ['repository_id', 'run_id', 'run_attempt', 'job_id'])
    .execute();
  await db.schema.createIndex('ci_diagnoses_run').on('ci_diagnoses').columns(['run_key', 'position']).execute();
  await db.schema
    .createIndex('ci_diagnoses_commit')
    .on('ci_diagnoses')
    .columns(['repository_id', 'head_sha'])
    .execute();

  await db.schema
    .createTable('ci_commits')
    .addColumn('repository_id', 'bigint', (column) => column.notNull())
    .addColumn('head_sha', 'varchar(64)', (column) => column.notNull())
    .addColumn('installation_id', 'bigint', (column) => column.notNull())
    .addColumn('state', 'varchar(16)', (column) => column.notNull())
    .addColumn('updated_at', 'bigint', (column) => column.notNull())
    .addPrimaryKeyConstraint('ci_commits_pk', ['repository_id', 'head_sha'])
    .execute();

  await db.schema
    .createTable('ci_pull_comments')
    .addColumn('repository_id', 'bigint', (column) => column.notNull())
    .addColumn('pull_number', 'integer', (column) => column.notNull())
    .addColumn('installation_id', 'bigint', (column) => column.notNull())
    .addColumn('comment_id', 'bigint')
    .addColumn('head_sha', 'varchar(64)', (column) => column.notNull())
    .addColumn('state', 'varchar(16)', (column) => column.notNull())
    .addColumn('failing_jobs', 'text', (column) => column.notNull())
    .addColumn('updated_at', 'bigint', (column) => column.notNull())
    .addPrimaryKeyConstraint('ci_pull_comments_pk', ['repository_id', 'pull_number'])
    .execute();
  await db.schema
    .createIndex('ci_pull_comments_commit')
    .on('ci_pull_comments')
    .columns(['repository_id', 'head_sha'])
    .execute();

  await db.schema
    .createTable('ci_tracking_issues')
    .addColumn('repository_id', 'bigint', (column) => column.notNull())
    .addColumn('workflow_id', 'bigint', (column) => column.notNull())
    .addColumn('installation_id', 'bigint', (column) => column.notNull())
    .addColumn('workflow', 'varchar(256)', (column) => column.notNull())
    .addColumn('branch', 'varchar(256)', (column) => column.notNull())
    .addColumn('issue_number', 'integer')
    .addColumn('state', 'varchar(16)', (column) => column.notNull())
    .addColumn('last_run_id', 'bigint')
    .addColumn('last_run_attempt', 'integer')
    .addColumn('updated_at', 'bigint', (column) => column.notNull())
    .addPrimaryKeyConstraint('ci_tracking_issues_pk', ['repository_id', 'workflow_id'])
    .execute();

  await db.schema
    .createTable('ci_flaky_tests')
    .addColumn('repository_id', 'bigint', (column) => column.notNull())
    .addColumn('key', 'varchar(64)', (column) => column.notNull())
    .addColumn('workflow', 'varchar(256)', (column) => column.notNull())
    .addColumn('job', 'varchar(256)', (column) => column.notNull())
    .addColumn('test', 'text', (column) => column.notNull())
    .addColumn('first_seen_at', 'bigint', (column) => column.notNull())
    .addColumn('last_seen_at', 'bigint', (column) => column.notNull())
    .addColumn('count', 'integer', (column) => column.notNull())
    .addPrimaryKeyConstraint('ci_flaky_tests_pk', ['repository_id', 'key'])
    .execute();
  await db.schema
    .createIndex('ci_flaky_tests_workflow')
    .on('ci_flaky_tests')
    .columns(['repository_id', 'workflow'])
    .execute();
}
