/**
 * The single source of truth for what Keel can do, what each capability needs from GitHub, and
 * which webhook events feed it. `app.yml` is checked against this table by a test, and the
 * connection verifier uses it to say which capability a missing permission disables.
 */

export type PermissionLevel = 'read' | 'write' | 'admin';

/** Repository (and organization) permission names as GitHub spells them in `permissions` objects. */
export type PermissionName =
  'actions' | 'contents' | 'discussions' | 'issues' | 'metadata' | 'pull_requests' | 'statuses' | 'workflows';

export type PermissionSet = Partial<Record<PermissionName, PermissionLevel>>;

export type CapabilityId = 'connection' | 'pr-checks' | 'ci' | 'repair' | 'commands' | 'rerun';

export interface Capability {
  id: CapabilityId;
  title: string;
  permissions: PermissionSet;
  /** Events this capability subscribes to (listed in app.yml `default_events`). */
  events: readonly string[];
  /** Events GitHub sends to every app whatever it subscribes to. */
  alwaysSentEvents: readonly string[];
  /** Opt-in capabilities are not requested by the default registration. */
  optIn: boolean;
  /** What people see when it works. */
  surfaces: string;
}

export const CAPABILITIES: readonly Capability[] = [
  {
    id: 'connection',
    title: 'Connection',
    permissions: { metadata: 'read' },
    events: [],
    alwaysSentEvents: ['installation', 'installation_repositories', 'installation_target', 'github_app_authorization'],
    optIn: false,
    surfaces: 'state per installation, checks with remedies',
  },
  {
    id: 'pr-checks',
    title: 'Pull request checks',
    permissions: { pull_requests: 'read', contents: 'read', statuses: 'write' },
    events: ['pull_request'],
    alwaysSentEvents: [],
    optIn: false,
    surfaces: 'commit status keel/pr-checks',
  },
  {
    id: 'ci',
    title: 'CI diagnosis',
    permissions: { actions: 'read', statuses: 'write', pull_requests: 'write', issues: 'write' },
    events: ['workflow_run', 'workflow_job'],
    alwaysSentEvents: [],
    optIn: false,
    surfaces:
      'commit status keel/ci, one PR comment kept up to date, one tracking issue while the default branch is red',
  },
  {
    id: 'repair',
    title: 'Workflow repair',
    permissions: { contents: 'write', workflows: 'write', pull_requests: 'write' },
    events: ['push', 'workflow_run'],
    alwaysSentEvents: [],
    optIn: false,
    surfaces: 'pull requests on keel/* branches',
  },
  {
    id: 'commands',
    title: '/keel commands',
    permissions: { issues: 'write', pull_requests: 'write', discussions: 'write' },
    events: ['issue_comment', 'discussion', 'discussion_comment'],
    alwaysSentEvents: [],
    optIn: false,
    surfaces: 'replies in place',
  },
  {
    id: 'rerun',
    title: 'Re-run failed jobs',
    permissions: { actions: 'write' },
    events: [],
    alwaysSentEvents: [],
    optIn: true,
    surfaces: '/keel rerun re-runs failed jobs',
  },
];

const LEVEL_RANK: Record<PermissionLevel, number> = { read: 1, write: 2, admin: 3 };

/** True when `granted` is at least `needed` (write implies read, admin implies write). */
export function satisfies(granted: string | undefined, needed: PermissionLevel): boolean {
  if (granted === undefined || !(granted in LEVEL_RANK)) return false;
  return LEVEL_RANK[granted as PermissionLevel] >= LEVEL_RANK[needed];
}

/** The highest level each permission is needed at, across the given capabilities. */
export function mergePermissions(capabilities: readonly Capability[]): PermissionSet {
  const merged: PermissionSet = {};
  for (const capability of capabilities) {
    for (const [name, level] of Object.entries(capability.permissions) as [PermissionName, PermissionLevel][]) {
      const current = merged[name];
      if (current === undefined || LEVEL_RANK[level] > LEVEL_RANK[current]) merged[name] = level;
    }
  }
  return merged;
}

/** The permissions a capability's jobs need: what its narrowed tokens ask for. */
export function permissionsOf(id: CapabilityId): PermissionSet {
  return CAPABILITIES.find((capability) => capability.id === id)?.permissions ?? {};
}

export function defaultCapabilities(): Capability[] {
  return CAPABILITIES.filter((capability) => !capability.optIn);
}

/** Permissions the default registration (app.yml) requests. */
export function requiredPermissions(): PermissionSet {
  return mergePermissions(defaultCapabilities());
}

/** Events the default registration subscribes to, sorted. */
export function subscribedEvents(): string[] {
  return [...new Set(defaultCapabilities().flatMap((capability) => capability.events))].sort();
}

/** Every event Keel dispatches to its handlers: subscribed ones plus those sent to every app. */
export function handledEvents(): Set<string> {
  return new Set(CAPABILITIES.flatMap((capability) => [...capability.events, ...capability.alwaysSentEvents]));
}

/** Capabilities that cannot work when `permission` is granted at `granted` (or not at all). */
export function capabilitiesLacking(permission: PermissionName, granted: string | undefined): CapabilityId[] {
  return CAPABILITIES.filter((capability) => {
    const needed = capability.permissions[permission];
    return needed !== undefined && !satisfies(granted, needed);
  }).map((capability) => capability.id);
}

/** Capabilities switched off by a grant: each one needing a permission the grant lacks. */
export function capabilitiesDisabledBy(granted: Record<string, string>): CapabilityId[] {
  return CAPABILITIES.filter((capability) =>
    Object.entries(capability.permissions).some(([name, level]) => !satisfies(granted[name], level as PermissionLevel)),
  ).map((capability) => capability.id);
}
