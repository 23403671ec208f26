/**
 * Table types for Kysely. Times are epoch milliseconds (bigint in Postgres, integer in SQLite);
 * JSON is stored as text so one set of queries serves both databases.
 */
import type { Generated } from 'kysely';

/** `deflate-raw`: payloads stored before migration 006; `lz4`: since. */
export type PayloadCodec = 'lz4' | 'deflate-raw';

export type DeliveryStatus = 'queued' | 'processing' | 'processed' | 'failed' | 'dead' | 'ignored';

export interface DeliveriesTable {
  /** Arrival order in this store: "newest first" goes by it, and payloads are keyed by it. */
  seq: Generated<number>;
  id: string;
  event: string;
  action: string | null;
  installation_id: number | null;
  repository: string | null;
  status: DeliveryStatus;
  attempts: number;
  error: string | null;
  received_at: number;
  next_attempt_at: number;
  lease_expires_at: number | null;
  claimed_by: string | null;
  processed_at: number | null;
  /** Deliveries sharing a key run one at a time, in `seq` order; null: no ordering (inbox/concurrency-key.ts). */
  concurrency_key: string | null;
}

export interface DeliveryPayloadsTable {
  delivery_seq: number;
  codec: PayloadCodec;
  /** The body exactly as GitHub sent it, compressed with `codec` (see inbox/payload-codec.ts). */
  payload: Buffer;
}

export interface InstallationsTable {
  id: number;
  account_login: string;
  account_type: string;
  account_id: number;
  installed_by: string | null;
  repository_selection: string;
  permissions: string;
  events: string;
  suspended_at: number | null;
  suspended_by: string | null;
  /** 'pending' until verified; then derived from the latest report. */
  state: string;
  created_at: number;
  updated_at: number;
  /** Repositories the installation can see, when known (payload list or the latest verification). */
  repository_count: number | null;
  /** When the latest stored verification finished; null before the first one. */
  verified_at: number | null;
  /** 1 when its remaining quota was under 10% at that verification; 0 or null otherwise. */
  rate_limited: number | null;
}

export interface RepositoriesTable {
  id: number;
  installation_id: number;
  full_name: string;
  private: number;
}

export interface ReportsTable {
  id: Generated<number>;
  installation_id: number;
  at: number;
  state: string;
  /** The whole report as JSON (checks, permissions judgement, repositories). */
  report: string;
}

export interface AuditTable {
  id: Generated<number>;
  installation_id: number | null;
  at: number;
  actor: string | null;
  action: string;
  detail: string | null;
}

export interface RedeliveriesTable {
  /** GitHub's delivery id (numeric, from GET /app/hook/deliveries). */
  github_delivery_id: number;
  guid: string;
  requested_at: number;
  outcome: string;
  installation_id: number | null;
}

/** One row per background job; a run is claimed by moving next_run_at forward (one process wins). */
export interface SchedulesTable {
  name: string;
  next_run_at: number;
  claimed_by: string | null;
  claimed_at: number | null;
  /** Start of the latest run that finished. */
  last_success_at: number | null;
  /** The latest finished run's outcome as JSON. */
  last_result: string | null;
}

/** A pr-checks report: one per pull request and head SHA; `report` is the audit as JSON. */
export interface PrCheckReportsTable {
  id: string;
  installation_id: number;
  repository_id: number;
  /** owner/name when the report was written. */
  repository: string;
  pull_number: number;
  head_sha: string;
  title: string;
  state: string;
  description: string;
  /** Hash of the prChecks configuration the audit ran with; null when the configuration was invalid. */
  config_fingerprint: string | null;
  report: string;
  created_at: number;
  updated_at: number;
}

/** The newest head SHA seen per pull request (by the pull request's updated_at). */
export interface PrCheckHeadsTable {
  repository_id: number;
  pull_number: number;
  installation_id: number;
  head_sha: string;
  pr_updated_at: number;
  recorded_at: number;
}

/** A failed workflow run attempt Keel diagnosed; `id` is its diagnosis page's id. */
export interface CiRunsTable {
  id: string;
  installation_id: number;
  repository_id: number;
  /** owner/name when the run was diagnosed. */
  repository: string;
  run_id: number;
  run_attempt: number;
  workflow_id: number;
  workflow: string;
  event: string;
  head_sha: string;
  head_branch: string | null;
  conclusion: string;
  html_url: string;
  /** Failed jobs past the per-run cap, whose logs were not read. */
  not_diagnosed: number;
  /** The `.github/keel.yml` problem Keel fell back to defaults for, as JSON; null when none. */
  config_error: string | null;
  created_at: number;
  updated_at: number;
}

/** One failed job's diagnosis (JSON), per repository, run, attempt and job. */
export interface CiDiagnosesTable {
  repository_id: number;
  run_id: number;
  run_attempt: number;
  job_id: number;
  /** ci_runs.id */
  run_key: string;
  position: number;
  workflow: string;
  job_name: string;
  head_sha: string;
  diagnosis: string;
  /** Set once a later pass of the job on the same commit recorded its failing tests as flaky. */
  flaky_recorded_at: number | null;
  created_at: number;
}

/** The `keel/ci` state Keel last wrote on a commit. */
export interface CiCommitsTable {
  repository_id: number;
  head_sha: string;
  installation_id: number;
  state: string;
  updated_at: number;
}

/** Keel's one CI comment per pull request (comment_id null while it is being created). */
export interface CiPullCommentsTable {
  repository_id: number;
  pull_number: number;
  installation_id: number;
  comment_id: number | null;
  head_sha: string;
  /** creating | failing | fixed */
  state: string;
  /** JSON list of the failed job names the comment shows. */
  failing_jobs: string;
  updated_at: number;
}

/** Keel's one tracking issue per workflow while the default branch is red. */
export interface CiTrackingIssuesTable {
  repository_id: number;
  workflow_id: number;
  installation_id: number;
  workflow: string;
  branch: string;
  issue_number: number | null;
  /** opening | open | closed */
  state: string;
  last_run_id: number | null;
  last_run_attempt: number | null;
  updated_at: number;
}

/** A test that failed and then passed on a re-run of the same commit. */
export interface CiFlakyTestsTable {
  repository_id: number;
  /** sha256 of workflow, job and test. */
  key: string;
  workflow: string;
  job: string;
  test: string;
  first_seen_at: number;
  last_seen_at: number;
  count: number;
}

/**
 * An integration an admin connected: for GitHub, one installation (`id` is its id as text). Other
 * providers leave `installation_id` null and keep their own `external_id`.
 */
export interface IntegrationsTable {
  id: string;
  /** github | github-enterprise | gitlab */
  provider: string;
  /** The provider's web host (github.com, a GHES host, gitlab.com). */
  host: string;
  external_id: string;
  installation_id: number | null;
  /** Display name; the account login until an admin renames it. */
  name: string;
  /** The GitHub user who installed or first connected it. */
  added_by: string | null;
  /** JSON: { "pr-checks": true, … } for the services an admin set; absent ones take their default. */
  services: string;
  /** JSON: glob rules matched against repository names without their owner. */
  exclusions: string;
  created_at: number;
  updated_at: number;
}

/** A console sign-in; `id` is the sha256 of the cookie's value, the GitHub token is sealed (AES-256-GCM). */
export interface ConsoleSessionsTable {
  id: string;
  user_id: number;
  login: string;
  name: string | null;
  avatar_url: string | null;
  sealed_token: string;
  created_at: number;
  expires_at: number;
}

/** A role a delete-level user granted a GitHub login on an integration (login lower-cased). */
export interface RoleGrantsTable {
  integration_id: string;
  /** The GitHub installation, so deleting its data removes its grants; null for other providers. */
  installation_id: number | null;
  login: string;
  /** view | manage | delete */
  role: string;
  granted_by: string | null;
  granted_at: number;
}

/** A `/keel` command comment Keel is answering (`started`) or answered (`replied`). */
export interface CommandRepliesTable {
  repository_id: number;
  /** issue-comment:<id> | discussion:<id> | discussion-comment:<id> */
  comment_key: string;
  installation_id: number;
  state: string;
  created_at: number;
  updated_at: number;
}

/** A pull request check finding accepted with `/keel ignore`, by fingerprint (rule, file, title, evidence). */
export interface PrCheckAcceptedFindingsTable {
  repository_id: number;
  pull_number: number;
  fingerprint: string;
  installation_id: number;
  rule: string;
  accepted_by: string;
  reason: string | null;
  accepted_at: number;
}

/** The last repair scan of a repository; `files` and `findings` are JSON. */
export interface RepairScansTable {
  repository_id: number;
  installation_id: number;
  listing_etag: string | null;
  pulls_etag: string | null;
  /** JSON: Keel's pull requests from the repair branch as last listed (with `pulls_etag`). */
  pulls: string;
  table_fingerprint: string;
  files: string;
  findings: string;
  updated_at: number;
}

/** What an action's action.yml said at a ref (`runs.using`, the release to move to), JSON. */
export interface RepairActionFactsTable {
  uses: string;
  facts: string;
  checked_at: number;
}

/** A bot pull request Keel opened (the hourly cap per installation counts these). */
export interface RepairOpeningsTable {
  installation_id: number;
  repository_id: number;
  branch: string;
  opened_at: number;
}

/** A repository whose repair waits for the hourly cap. */
export interface RepairQueueTable {
  repository_id: number;
  installation_id: number;
  owner: string;
  name: string;
  trigger: string;
  queued_at: number;
}

/** A dry run's findings, for its signed details page. */
export interface RepairReportsTable {
  id: string;
  installation_id: number;
  repository_id: number;
  repository: string;
  findings: string;
  created_at: number;
}

/** The opt-in write round trip run from the console, its steps recorded as they start and end. */
export interface WriteChecksTable {
  id: string;
  installation_id: number;
  repository: string;
  actor: string | null;
  /** JSON: every planned step with its status (pending, running, pass, fail, skip) and finding. */
  steps: string;
  /** The installation's state once the verification is stored; null while it runs. */
  state: string | null;
  started_at: number;
  updated_at: number;
  finished_at: number | null;
}

export interface Database {
  deliveries: DeliveriesTable;
  delivery_payloads: DeliveryPayloadsTable;
  installations: InstallationsTable;
  repositories: RepositoriesTable;
  reports: ReportsTable;
  audit: AuditTable;
  redeliveries: RedeliveriesTable;
  schedules: SchedulesTable;
  pr_check_reports: PrCheckReportsTable;
  pr_check_heads: PrCheckHeadsTable;
  ci_runs: CiRunsTable;
  ci_diagnoses: CiDiagnosesTable;
  ci_commits: CiCommitsTable;
  ci_pull_comments: CiPullCommentsTable;
  ci_tracking_issues: CiTrackingIssuesTable;
  ci_flaky_tests: CiFlakyTestsTable;
  integrations: IntegrationsTable;
  console_sessions: ConsoleSessionsTable;
  role_grants: RoleGrantsTable;
  command_replies: CommandRepliesTable;
  pr_check_accepted_findings: PrCheckAcceptedFindingsTable;
  write_checks: WriteChecksTable;
  repair_scans: RepairScansTable;
  repair_action_facts: RepairActionFactsTable;
  repair_openings: RepairOpeningsTable;
  repair_queue: RepairQueueTable;
  repair_reports: RepairReportsTable;
}
