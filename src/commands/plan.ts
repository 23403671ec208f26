/**
 * Whether a command may run here and now, without I/O: the thread it was written in, the
 * commenter's role (acting commands only), the installation's grant and the service switches.
 * A refusal is the reply that says what is needed.
 */
import type { Services } from '../integrations/services.js';
import type { CommandSpec, ThreadKind } from './catalog.js';
import type { Role } from './facts.js';
import {
  missingPermissions,
  renderPermissionMissing,
  renderRefusal,
  renderServiceOff,
  renderWrongThread,
} from './render.js';

export interface GateFacts {
  thread: ThreadKind;
  /** The commenter's role; asked of GitHub for acting commands only. */
  role: Role | null;
  author: string;
  repository: string;
  /** null while Keel has not recorded the installation's grant: GitHub then decides. */
  granted: Record<string, string> | null;
  services: Services;
  consoleUrl: string;
}

export type GateDecision = { run: true } | { run: false; reply: string };

/** What must hold before `spec` runs, in the order a user fixes it. */
export function gateCommand(spec: CommandSpec, facts: GateFacts): GateDecision {
  if (!spec.where.includes(facts.thread)) return { run: false, reply: renderWrongThread(spec, facts.thread) };
  if (spec.acting && facts.role && !isActingRole(facts.role)) {
    return { run: false, reply: renderRefusal(spec, facts.author, facts.repository, facts.role.name) };
  }
  const missing = missingPermissions(spec, facts.granted);
  if (missing.length > 0) return { run: false, reply: renderPermissionMissing(spec, missing) };
  if (spec.service && !facts.services[spec.service]) {
    return { run: false, reply: renderServiceOff(spec, facts.consoleUrl) };
  }
  return { run: true };
}

/** Write, maintain or admin (or a custom role based on write or admin). */
export function isActingRole(role: Role): boolean {
  return (
    role.permission === 'admin' || role.permission === 'write' || ['admin', 'maintain', 'write'].includes(role.name)
  );
}
