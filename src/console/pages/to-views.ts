/** Pure mappings from what the integration actions return to what the pages show. */
import { CAPABILITIES, type CapabilityId } from '../../capabilities.js';
import { isRateLimited } from '../../connection/verify/is-rate-limited.js';
import { judgePermissions } from '../../connection/verify/judge-permissions.js';
import { installationSettingsUrl } from '../../connection/verify/installation-settings-url.js';
import { findExclusion } from '../../integrations/exclusions.js';
import type { IntegrationJson } from '../../integrations/actions.js';
import { readServices } from '../../integrations/services.js';
import type { AuditEntryJson, DeliveryEntry } from '../../integrations/history.js';
import type { WriteCheckJson } from '../../integrations/write-checks.js';
import type {
  AuditView,
  ConsoleRole,
  DataStatus,
  DeliveryView,
  IntegrationDetails,
  IntegrationSummary,
  PermissionRow,
  PermissionsView,
  RunView,
  ServiceView,
  WriteCheckSummary,
} from './view.js';

const TITLES = new Map<string, string>(CAPABILITIES.map((capability) => [capability.id, capability.title]));

function titlesOf(ids: readonly string[]): string[] {
  return ids.map((id) => TITLES.get(id) ?? id);
}

function epoch(iso: string | null | undefined): number | null {
  if (!iso) return null;
  const at = Date.parse(iso);
  return Number.isNaN(at) ? null : at;
}

export function toDataStatus(integration: IntegrationJson, processing: number): DataStatus {
  return { state: integration.state, processing, rateLimited: isRateLimited(integration.report) };
}

/** One installation as the integrations table reads it (see readIntegrationListing). */
export interface ListedIntegration {
  id: string;
  account: string;
  name: string;
  provider: string;
  host: string;
  /** Who added it: the integration row's, or who installed it when there is no row. */
  addedBy: string | null;
  /** The integration row's services JSON; defaults when there is no row. */
  services: string | null;
  state: string;
  repositoryCount: number | null;
  verifiedAt: number | null;
  rateLimited: boolean;
  lastDeliveryAt: number | null;
}

/** One row of the integrations table. */
export function toIntegrationSummary(
  listed: ListedIntegration,
  role: ConsoleRole,
  processing: number,
): IntegrationSummary {
  const lastUpdatedAt = Math.max(listed.verifiedAt ?? 0, listed.lastDeliveryAt ?? 0);
  const services = readServices(listed.services);
  return {
    id: listed.id,
    name: listed.name,
    provider: listed.provider,
    host: listed.host,
    account: listed.account,
    servicesOn: Object.entries(services)
      .filter(([, on]) => on)
      .map(([id]) => id),
    repositoryCount: listed.repositoryCount,
    addedBy: listed.addedBy,
    status: { state: listed.state, processing, rateLimited: listed.rateLimited },
    lastUpdatedAt: lastUpdatedAt > 0 ? lastUpdatedAt : null,
    lastVerifiedAt: listed.verifiedAt,
    role,
  };
}

/** Which capabilities (by title) need a permission at any level. */
function servedBy(permission: string): string[] {
  return CAPABILITIES.filter((capability) => permission in capability.permissions).map(
    (capability) => capability.title,
  );
}

export function toPermissionsView(integration: IntegrationJson, webBase: string): PermissionsView {
  const { required, granted, missing, extra } = integration.permissions;
  const judgement = judgePermissions({ granted, grantedEvents: integration.events });
  const missingBy = new Map(missing.map((entry) => [entry.permission, entry]));
  const extraSet = new Set(extra.map((entry) => entry.permission));
  const rows: PermissionRow[] = [...new Set([...Object.keys(required), ...Object.keys(granted)])]
    .sort()
    .map((permission) => {
      const lacking = missingBy.get(permission);
      return {
        permission,
        required: required[permission] ?? null,
        granted: granted[permission] ?? null,
        status: lacking ? 'missing' : extraSet.has(permission) ? 'extra' : 'granted',
        capabilities: lacking ? titlesOf(lacking.capabilities) : servedBy(permission),
      };
    });
  for (const optIn of judgement.optIn) {
    rows.push({
      permission: optIn.permission,
      required: optIn.level,
      granted: granted[optIn.permission] ?? null,
      status: 'opt-in',
      capabilities: titlesOf(optIn.capabilities),
    });
  }
  return {
    rows,
    events: {
      granted: [...integration.events].sort(),
      missing: integration.missingEvents.map((entry) => ({
        event: entry.event,
        capabilities: titlesOf(entry.capabilities),
      })),
    },
    pendingUpdate: integration.pendingUpdate && {
      permissions: integration.pendingUpdate.permissions.map((entry) => ({
        ...entry,
        capabilities: servedBy(entry.permission),
      })),
      events: integration.pendingUpdate.events,
      acceptUrl: integration.pendingUpdate.acceptUrl,
    },
    settingsUrl: installationSettingsUrl({ webBase, installationId: integration.id, account: integration.account }),
  };
}

export function toServiceViews(services: Record<string, boolean>): ServiceView[] {
  return CAPABILITIES.filter((capability) => capability.id !== 'connection').map((capability) => ({
    id: capability.id,
    title: capability.title,
    description: capability.optIn
      ? `${capability.surfaces}. Opt-in: needs ${Object.entries(capability.permissions)
          .map(([name, level]) => `${name}: ${level}`)
          .join(', ')} granted.`
      : capability.surfaces,
    on: services[capability.id as Exclude<CapabilityId, 'connection'>] ?? false,
    optIn: capability.optIn,
  }));
}

export function toDeliveryView(delivery: DeliveryEntry): DeliveryView {
  return {
    id: delivery.id,
    event: delivery.event,
    action: delivery.action,
    repository: delivery.repository,
    status: delivery.status,
    attempts: delivery.attempts,
    error: delivery.error,
    receivedAt: epoch(delivery.receivedAt) ?? 0,
    durationMs: delivery.durationMs,
    integrationId: delivery.installationId === null ? null : String(delivery.installationId),
  };
}

function describeDetail(detail: unknown): string | null {
  if (detail === null || detail === undefined) return null;
  return typeof detail === 'string' ? detail : JSON.stringify(detail);
}

export function toAuditView(entry: AuditEntryJson): AuditView {
  return {
    at: epoch(entry.at) ?? 0,
    actor: entry.actor,
    action: entry.action,
    detail: describeDetail(entry.detail),
    integrationId: entry.integrationId,
  };
}

export function toWriteCheckSummary(run: WriteCheckJson): WriteCheckSummary {
  return {
    href: `/console/integrations/${encodeURIComponent(run.integrationId)}/write-checks/${encodeURIComponent(run.id)}`,
    repository: run.repository,
    actor: run.actor,
    startedAt: epoch(run.startedAt) ?? 0,
    outcome: run.outcome,
  };
}

export interface DetailsInputs {
  integration: IntegrationJson;
  role: ConsoleRole;
  processing: number;
  history: RunView[];
  latestWriteCheck?: WriteCheckJson | null;
  deliveries: DeliveryEntry[];
  audit: AuditEntryJson[];
  webBase: string;
}

export function toIntegrationDetails(inputs: DetailsInputs): IntegrationDetails {
  const { integration } = inputs;
  const report = integration.report;
  return {
    id: integration.integrationId,
    name: integration.name,
    provider: integration.provider,
    host: integration.host,
    account: { login: integration.account.login, type: integration.account.type },
    status: toDataStatus(integration, inputs.processing),
    addedBy: integration.addedBy,
    lastUpdatedAt: epoch(integration.lastUpdatedAt),
    role: inputs.role,
    latest: report
      ? {
          at: epoch(report.at) ?? 0,
          checks: report.checks.map(({ name, status, finding, remedy }) => ({ name, status, finding, remedy })),
        }
      : null,
    history: inputs.history,
    latestWriteCheck: inputs.latestWriteCheck ? toWriteCheckSummary(inputs.latestWriteCheck) : null,
    permissions: toPermissionsView(integration, inputs.webBase),
    repositories: {
      selection: integration.repositories.selection,
      count: integration.repositories.count,
      list: (integration.repositories.list ?? []).map((repository) => ({
        fullName: repository.fullName,
        private: repository.private,
        excludedBy: findExclusion(integration.exclusions, repository.fullName),
      })),
    },
    exclusions: integration.exclusions,
    services: toServiceViews(integration.services),
    deliveries: inputs.deliveries.map(toDeliveryView),
    audit: inputs.audit.map(toAuditView),
  };
}
