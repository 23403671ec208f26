/**
 * What the console's pages show: plain data the routes build from the integration actions, so
 * every page is a pure function of its view and can be tested without a server.
 */

export type ConsoleRole = 'view' | 'manage' | 'delete';

export interface PageUser {
  login: string;
  name: string | null;
  avatarUrl: string | null;
  csrfToken: string;
}

export interface Flash {
  kind: 'success' | 'error';
  message: string;
  remedy?: string;
}

/** Where the page's stylesheet and script live (content-hashed, cached for a year). */
export interface PageAssets {
  stylesheets: string[];
  script: string;
}

export interface PageFrame {
  user: PageUser;
  assets: PageAssets;
  flash?: Flash | null;
}

export interface DataStatus {
  /** pending | connected | degraded | suspended | unauthorized | unreachable | uninstalled | pending-approval */
  state: string;
  /** Deliveries of this integration queued or being processed. */
  processing: number;
  /** Its remaining GitHub quota was under 10% at the last verification. */
  rateLimited: boolean;
}

export interface IntegrationSummary {
  id: string;
  name: string;
  /** github | github-enterprise */
  provider: string;
  host: string;
  account: string;
  servicesOn: string[];
  repositoryCount: number | null;
  addedBy: string | null;
  status: DataStatus;
  /** When its last delivery was processed (epoch ms). */
  lastUpdatedAt: number | null;
  lastVerifiedAt: number | null;
  role: ConsoleRole;
}

export type SortKey = 'name' | 'provider' | 'services' | 'repositories' | 'addedBy' | 'status' | 'updated' | 'verified';

export interface IntegrationsQuery {
  sort: SortKey;
  descending: boolean;
  /** Free text over name, account, host and added by. */
  text: string;
  state: string;
  provider: string;
  /** 1-based page of the sorted, filtered table. */
  page: number;
}

export interface IntegrationsView extends PageFrame {
  integrations: IntegrationSummary[];
  query: IntegrationsQuery;
  /** The Add integration link: the app's installation page on GitHub. */
  installUrl: string;
  /** "GitHub" or "GitHub Enterprise Server (host)". */
  providerName: string;
}

export interface CheckView {
  name: string;
  status: 'pass' | 'warn' | 'fail' | 'skip';
  finding: string;
  remedy: string;
}

export interface RunView {
  at: number;
  state: string;
  failed: number;
  warned: number;
}

export interface PermissionRow {
  permission: string;
  required: string | null;
  granted: string | null;
  status: 'granted' | 'missing' | 'extra' | 'opt-in';
  /** Titles of the capabilities this permission serves. */
  capabilities: string[];
}

export interface PendingUpdateView {
  /** Each permission waiting, its level, and the capabilities (titles) that use it. */
  permissions: { permission: string; level: string; capabilities: string[] }[];
  events: string[];
  /** Where an owner reviews and accepts the request on GitHub. */
  acceptUrl: string;
}

export interface PermissionsView {
  rows: PermissionRow[];
  events: { granted: string[]; missing: { event: string; capabilities: string[] }[] };
  /** What the app asks for beyond the installation's grant; an owner must accept it. */
  pendingUpdate: PendingUpdateView | null;
  settingsUrl: string;
}

export interface RepositoryView {
  fullName: string;
  private: boolean;
  /** The exclusion rule that matches it, if any. */
  excludedBy: string | null;
}

export interface ServiceView {
  id: string;
  title: string;
  description: string;
  on: boolean;
  optIn: boolean;
}

export interface DeliveryView {
  id: string;
  event: string;
  action: string | null;
  repository: string | null;
  status: string;
  attempts: number;
  error: string | null;
  receivedAt: number;
  durationMs: number | null;
  integrationId: string | null;
}

export interface AuditView {
  at: number;
  actor: string | null;
  action: string;
  detail: string | null;
  integrationId: string | null;
}

export interface WriteCheckSummary {
  href: string;
  repository: string;
  actor: string | null;
  startedAt: number;
  outcome: 'running' | 'passed' | 'failed' | 'interrupted';
}

export interface IntegrationDetails {
  id: string;
  name: string;
  provider: string;
  host: string;
  account: { login: string; type: string };
  status: DataStatus;
  addedBy: string | null;
  lastUpdatedAt: number | null;
  role: ConsoleRole;
  /** The latest verification; null while the first one runs. */
  latest: { at: number; checks: CheckView[] } | null;
  history: RunView[];
  /** The latest "Verify by opening a pull request" run, so one started and left is findable. */
  latestWriteCheck: WriteCheckSummary | null;
  permissions: PermissionsView;
  repositories: { selection: string; count: number | null; list: RepositoryView[] };
  exclusions: string[];
  services: ServiceView[];
  deliveries: DeliveryView[];
  audit: AuditView[];
}

export interface IntegrationView extends PageFrame {
  integration: IntegrationDetails;
  /** Repository filter typed in the page (GET ?repos=). */
  repositoryFilter: string;
  /** Rules being previewed (GET ?exclude=) and the repositories they match. */
  preview: { rules: string[]; matches: string[]; error: string | null } | null;
  /** Reload every few seconds while a verification runs (works without JavaScript). */
  refreshSeconds: number | null;
}

export interface DeliveryFilters {
  status: string;
  event: string;
  repository: string;
  integration: string;
}

export interface DeliveriesView extends PageFrame {
  deliveries: DeliveryView[];
  filters: DeliveryFilters;
  nextCursor: string | null;
  /** Integrations the user may manage: their failed and dead deliveries get a Retry button. */
  manageable: ReadonlySet<string>;
}

export interface AuditLogView extends PageFrame {
  entries: AuditView[];
  integration: string;
  nextCursor: string | null;
  /** Integration id → display name, for links. */
  names: ReadonlyMap<string, string>;
}
