/**
 * Table types for Kysely. Times are epoch milliseconds (bigint in Postgres, integer in SQLite);
 * JSON is stored as text so one set of queries serves both databases.
 */
import type { Generated } from 'kysely';

export type DeliveryStatus = 'queued' | 'processing' | 'processed' | 'failed' | 'dead' | 'ignored';

export interface DeliveriesTable {
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
}

export interface DeliveryPayloadsTable {
  id: string;
  /** The body exactly as GitHub sent it, deflated (see inbox/payload-codec.ts). */
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
}

export interface Database {
  deliveries: DeliveriesTable;
  delivery_payloads: DeliveryPayloadsTable;
  installations: InstallationsTable;
  repositories: RepositoriesTable;
  reports: ReportsTable;
  audit: AuditTable;
  redeliveries: RedeliveriesTable;
}
