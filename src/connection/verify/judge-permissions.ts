import {
  CAPABILITIES,
  capabilitiesLacking,
  handledEvents,
  mergePermissions,
  requiredPermissions,
  satisfies,
  subscribedEvents,
  type CapabilityId,
  type PermissionLevel,
  type PermissionName,
} from '../../capabilities.js';
import type { GrantJudgement } from './types.js';

export interface JudgePermissionsOptions {
  /** The installation's `permissions`. */
  granted: Record<string, string>;
  /** The installation's `events`. */
  grantedEvents: readonly string[];
  /** What the app registration (`GET /app`) asks for, when known. */
  requested?: {
    permissions: Record<string, string>;
    events: readonly string[];
  };
}

const OPT_IN = new Set<CapabilityId>(CAPABILITIES.filter((c) => c.optIn).map((c) => c.id));

function isLevel(level: string): level is PermissionLevel {
  return level === 'read' || level === 'write' || level === 'admin';
}

function levelsOf(permissions: Record<string, string | undefined>): [string, PermissionLevel][] {
  return Object.entries(permissions)
    .filter((entry): entry is [string, PermissionLevel] => entry[1] !== undefined && isLevel(entry[1]))
    .sort(([a], [b]) => a.localeCompare(b));
}

function lacking(permission: string, granted: string | undefined, optIn: boolean): CapabilityId[] {
  return capabilitiesLacking(permission as PermissionName, granted).filter((id) => OPT_IN.has(id) === optIn);
}

/** Judges an installation's grant against the capability table and the app registration. */
export function judgePermissions({ granted, grantedEvents, requested }: JudgePermissionsOptions): GrantJudgement {
  const required = Object.fromEntries(levelsOf(requiredPermissions()));
  const needed: Record<string, string | undefined> = mergePermissions(CAPABILITIES);
  const optInNeeded = mergePermissions(CAPABILITIES.filter((c) => c.optIn));

  const missing = levelsOf(required)
    .filter(([permission, level]) => !satisfies(granted[permission], level))
    .map(([permission, level]) => ({
      permission,
      level,
      capabilities: lacking(permission, granted[permission], false),
    }));
  // Granted but needed by no capability, or granted above the highest level any capability needs.
  const extra = Object.entries(granted)
    .filter(([permission, level]) => {
      const need = needed[permission];
      return need === undefined || (isLevel(level) && !satisfies(need, level));
    })
    .map(([permission, level]) => ({ permission, level }))
    .sort((a, b) => a.permission.localeCompare(b.permission));
  const optIn = levelsOf(optInNeeded)
    .filter(([permission, level]) => !satisfies(granted[permission], level))
    .map(([permission, level]) => ({
      permission,
      level,
      capabilities: lacking(permission, granted[permission], true),
    }));

  const requiredEvents = subscribedEvents();
  const grantedSet = new Set(grantedEvents);
  const handled = handledEvents();
  const events = {
    required: requiredEvents,
    granted: [...grantedEvents].sort(),
    missing: requiredEvents
      .filter((event) => !grantedSet.has(event))
      .map((event) => ({
        event,
        capabilities: CAPABILITIES.filter((c) => !c.optIn && c.events.includes(event)).map((c) => c.id),
      })),
    extra: [...grantedEvents].filter((event) => !handled.has(event)).sort(),
  };

  const pendingUpdate = {
    permissions: requested
      ? levelsOf(requested.permissions)
          .filter(([permission, level]) => !satisfies(granted[permission], level))
          .map(([permission, level]) => ({ permission, level }))
      : [],
    events: requested ? requested.events.filter((event) => !grantedSet.has(event)).sort() : [],
  };

  return {
    permissions: { required, granted, missing, extra },
    events,
    optIn,
    pendingUpdate,
  };
}
