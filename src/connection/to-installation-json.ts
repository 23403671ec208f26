/** The JSON an installation is in /api (a shape fixed by an outside contract; extra fields welcome). */
import { readExclusions } from '../integrations/exclusions.js';
import { readServices } from '../integrations/services.js';
import type { IntegrationsTable } from '../store/schema.js';
import type { InstallationRecord } from './installation-reads.js';
import { judgePermissions } from './verify/judge-permissions.js';
import type { PendingUpdate, VerificationReport } from './verify/types.js';

function isoOrNull(epochMs: number | null): string | null {
  return epochMs === null ? null : new Date(epochMs).toISOString();
}

function parseJson<T>(text: string, fallback: T): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

/**
 * What waits for an owner's approval, as the latest verification found it (no GitHub request):
 * null when nothing waits or Keel has not verified since it started recording it.
 */
function pendingUpdateOf(report: VerificationReport | null): PendingUpdate | null {
  const pending = report?.pendingUpdate;
  if (!pending || (pending.permissions.length === 0 && pending.events.length === 0)) return null;
  return pending;
}

/** `integration`: the installation's integration row (name, services, exclusions); defaults without one. */
export function toInstallationJson(record: InstallationRecord & { integration?: IntegrationsTable | undefined }) {
  const { row, report, integration } = record;
  const lastUpdatedAt = Math.max(report ? Date.parse(report.at) : 0, record.lastDeliveryAt ?? 0);
  const granted = parseJson<Record<string, string>>(row.permissions, {});
  const events = parseJson<string[]>(row.events, []);
  const judgement = judgePermissions({ granted, grantedEvents: events });
  return {
    id: Number(row.id),
    account: { login: row.account_login, type: row.account_type, id: Number(row.account_id) },
    name: integration?.name ?? row.account_login,
    state: row.state,
    services: readServices(integration?.services),
    exclusions: readExclusions(integration?.exclusions),
    addedBy: integration?.added_by ?? row.installed_by,
    /** The latest verification or delivery: when Keel last heard from GitHub about it. */
    lastUpdatedAt: lastUpdatedAt > 0 ? new Date(lastUpdatedAt).toISOString() : null,
    installedBy: row.installed_by,
    suspendedAt: isoOrNull(row.suspended_at),
    suspendedBy: row.suspended_by,
    firstDeliveryAt: isoOrNull(record.firstDeliveryAt),
    lastDeliveryAt: isoOrNull(record.lastDeliveryAt),
    events,
    permissions: judgement.permissions,
    missingEvents: judgement.events.missing,
    pendingUpdate: pendingUpdateOf(report),
    repositories: {
      selection: row.repository_selection,
      count: row.repository_count,
      ...(record.repositories
        ? {
            list: record.repositories.map((repository) => ({
              id: Number(repository.id),
              fullName: repository.full_name,
              private: repository.private === 1,
            })),
          }
        : {}),
    },
    report: report ?? null,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

export type InstallationJson = ReturnType<typeof toInstallationJson>;
