import type { CapabilityId } from '../../../capabilities.js';
import type { CheckResult, CheckStatus, GrantJudgement } from '../types.js';

export interface CheckPermissionsOptions {
  judgement: GrantJudgement;
  /** Where an owner accepts permission updates for this installation. */
  settingsUrl: string;
}

const RANK: Record<CheckStatus, number> = {
  skip: 0,
  pass: 1,
  warn: 2,
  fail: 3,
};

function listLevels(entries: readonly { permission: string; level: string }[]): string {
  return entries.map(({ permission, level }) => `${permission}: ${level}`).join(', ');
}

/** Turns the grant judgement into the `permissions` check (pure). */
export function checkPermissions({ judgement, settingsUrl }: CheckPermissionsOptions): CheckResult {
  const { permissions, events, optIn, pendingUpdate } = judgement;
  const findings: string[] = [];
  const remedies: string[] = [];
  let status: CheckStatus = 'pass';
  const raise = (to: CheckStatus) => {
    if (RANK[to] > RANK[status]) status = to;
  };

  const disables = new Set<CapabilityId>();
  for (const entry of [...permissions.missing, ...events.missing]) {
    for (const capability of entry.capabilities) disables.add(capability as CapabilityId);
  }
  const pendingPermissions = new Set(pendingUpdate.permissions.map((entry) => entry.permission));
  const pendingEvents = new Set(pendingUpdate.events);

  if (permissions.missing.length > 0 || events.missing.length > 0) {
    raise('fail');
    const missing = [
      ...permissions.missing.map((m) => `${m.permission}: ${m.level} (disables ${m.capabilities.join(', ')})`),
      ...events.missing.map((m) => `event ${m.event} (disables ${m.capabilities.join(', ')})`),
    ];
    findings.push(`Missing ${missing.join('; ')}`);
    const unrequested = [
      ...permissions.missing.filter((m) => !pendingPermissions.has(m.permission)).map((m) => m.permission),
      ...events.missing.filter((m) => !pendingEvents.has(m.event)).map((m) => `event ${m.event}`),
    ];
    if (unrequested.length > 0) {
      remedies.push(
        `The app registration does not request ${unrequested.join(', ')}: add it under the app's Permissions & events, then an owner accepts the update at ${settingsUrl}.`,
      );
    }
  }
  if (pendingUpdate.permissions.length > 0 || pendingUpdate.events.length > 0) {
    raise('warn');
    const waiting = [listLevels(pendingUpdate.permissions), ...pendingUpdate.events.map((e) => `event ${e}`)]
      .filter(Boolean)
      .join(', ');
    findings.push(`An owner has a permission update waiting to accept (${waiting})`);
    remedies.push(`An owner reviews and accepts the requested permissions at ${settingsUrl} (members cannot).`);
  }
  if (permissions.extra.length > 0 || events.extra.length > 0) {
    raise('warn');
    const extra = [listLevels(permissions.extra), ...events.extra.map((e) => `event ${e}`)].filter(Boolean).join(', ');
    findings.push(`Granted but not needed by any capability: ${extra}`);
    remedies.push("Review them and remove them from the app's Permissions & events to keep least privilege.");
  }
  if (findings.length === 0) {
    findings.push(
      `All ${Object.keys(permissions.required).length} required permissions and ${events.required.length} events are granted`,
    );
  }
  if (optIn.length > 0) {
    findings.push(
      `info: opt-in ${optIn.map((o) => `${o.capabilities.join(', ')} would need ${o.permission}: ${o.level}`).join('; ')}`,
    );
  }

  const check: CheckResult = {
    name: 'permissions',
    status,
    finding: `${findings.join('. ')}.`,
    remedy: status === 'pass' ? '' : remedies.join(' '),
  };
  if (disables.size > 0) check.disables = [...disables];
  return check;
}
