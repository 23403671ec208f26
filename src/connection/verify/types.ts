/**
 * Shapes of the connection verifier. `VerificationReport`, `CheckResult` and `PermissionJudgement`
 * are part of the JSON API contract: their documented fields are fixed, extra fields are allowed.
 */
import type { ProbotOctokit } from 'probot';
import type { CapabilityId } from '../../capabilities.js';
import type { GitHubErrorKind } from '../../github/errors.js';

export type ProbotOctokitInstance = InstanceType<typeof ProbotOctokit>;

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

export type WriteCheckName =
  'write:branch' | 'write:commit' | 'write:pull-request' | 'write:status' | 'write:comment' | 'write:cleanup';

export type CheckName =
  | 'app-credentials'
  | 'installation'
  | 'permissions'
  | 'token'
  | 'repositories'
  | 'rate-limit'
  | 'org-config'
  | 'webhook'
  | WriteCheckName;

export interface CheckResult {
  name: CheckName;
  status: CheckStatus;
  /** One line: what was found. */
  finding: string;
  /** What an admin does about it; '' for passes. */
  remedy: string;
  /** Why a check failed, when GitHub (or the way to it) said so; drives the installation state. */
  kind?: GitHubErrorKind;
  /** Non-opt-in capabilities this problem switches off. */
  disables?: CapabilityId[];
}

export interface PermissionJudgement {
  required: Record<string, string>;
  granted: Record<string, string>;
  missing: { permission: string; level: string; capabilities: string[] }[];
  extra: { permission: string; level: string }[];
}

export interface EventJudgement {
  required: string[];
  granted: string[];
  missing: { event: string; capabilities: string[] }[];
  extra: string[];
}

/** What the installation and the app registration say, judged against the capability table. */
export interface GrantJudgement {
  permissions: PermissionJudgement;
  events: EventJudgement;
  /** Permissions opt-in capabilities would need: information, never a failure. */
  optIn: { permission: string; level: string; capabilities: string[] }[];
  /** What the app registration requests beyond the installation's grant: an owner must accept it. */
  pendingUpdate: {
    permissions: { permission: string; level: string }[];
    events: string[];
  };
}

export interface PendingUpdate {
  permissions: { permission: string; level: string }[];
  events: string[];
  /** The installation's settings page, where GitHub shows an owner the request to review. */
  acceptUrl: string;
}

export type InstallationState =
  'pending' | 'connected' | 'degraded' | 'suspended' | 'unauthorized' | 'unreachable' | 'uninstalled';

export interface RepositoriesSummary {
  selection: 'all' | 'selected';
  count: number;
}

export interface DeliverySummary {
  /** GitHub's delivery id, used to redeliver (`POST /app/hook/deliveries/{id}/attempts`). */
  id: number;
  guid: string;
  event: string;
  action: string | null;
  statusCode: number;
  deliveredAt: string;
}

export interface PlannedRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** May hold `{placeholders}` filled from earlier responses, e.g. `{commitSha}`. */
  path: string;
  body?: Record<string, string | boolean>;
  /** Context keys this request stores from its response: key → dotted path in the data. */
  captures?: Record<string, string>;
  /** Context keys that must exist for this request to run (beyond its placeholders). */
  requires?: string[];
  /** Statuses that count as done, e.g. 404 when deleting something already gone. */
  tolerate?: number[];
}

/** A write round trip step as it starts (`running`) and as it ends (its check). */
export type WriteStepProgress = { name: WriteCheckName; status: 'running' } | (CheckResult & { name: WriteCheckName });

/**
 * Told each step's progress as it happens, awaited before the round trip goes on. It must not
 * throw: the round trip's cleanup depends on it running to the end.
 */
export type OnWriteStep = (progress: WriteStepProgress) => Promise<void> | void;

export interface PlannedStep {
  name: WriteCheckName;
  /** Verb phrase for findings: "create branch keel/connection-check from main". */
  action: string;
  requests: PlannedRequest[];
  /** Runs even when an earlier step failed (cleanup). */
  always?: boolean;
}

export interface VerificationReport {
  /** ISO time the verification finished. */
  at: string;
  installationId: number;
  state: InstallationState;
  checks: CheckResult[];
  account?: { login: string; type: string };
  permissions?: PermissionJudgement;
  events?: EventJudgement;
  repositories?: RepositoriesSummary;
  /**
   * What the app registration (`GET /app`) asks for beyond what the installation accepted, and
   * where an owner accepts it on GitHub; both lists empty when nothing waits.
   */
  pendingUpdate?: PendingUpdate;
  /** Of the last 24 hours: failed at their latest attempt, never stored, failed first then redelivered. */
  deliveries?: { failed: DeliverySummary[]; unrecorded: DeliverySummary[]; healed?: DeliverySummary[] };
  tokenExpiresAt?: string;
  /** Every repository the token could see; stored as the installation's repositories, not in the report. */
  visibleRepositories?: { id: number; fullName: string; private: boolean }[];
  /** The write round trip as planned; present for dry runs and real runs alike. */
  writePlan?: PlannedStep[];
}
