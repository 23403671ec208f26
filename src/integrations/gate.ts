/**
 * The one question every capability asks before it writes to GitHub: may this service act on this
 * repository of this installation? Settings are cached briefly per installation, so a handler
 * costs no query per delivery; `forget` clears an installation after an admin changes it here,
 * and other processes see the change within `ttlMs`.
 */
import type { Store } from '../store/database.js';
import { findExclusion } from './exclusions.js';
import type { ServiceId } from './services.js';
import { readInstallationSettings, type IntegrationSettings } from './store.js';

export interface GateQuestion {
  installationId: number;
  service: ServiceId;
  /** `owner/name` (or the name alone); omit for installation-wide work. */
  repository?: string;
}

export type GateDecision =
  { allowed: true } | { allowed: false; reason: 'service-off' } | { allowed: false; reason: 'excluded'; rule: string };

export interface IntegrationGate {
  decide(question: GateQuestion): Promise<GateDecision>;
  settings(installationId: number): Promise<IntegrationSettings>;
  forget(installationId: number): void;
}

export interface IntegrationGateOptions {
  store: Store;
  ttlMs?: number;
  now?: () => number;
}

/** The pure rule: a switched-off service never acts; an excluded repository gets nothing. */
export function decideService(settings: IntegrationSettings, question: GateQuestion): GateDecision {
  if (!settings.services[question.service]) return { allowed: false, reason: 'service-off' };
  if (question.repository) {
    const rule = findExclusion(settings.exclusions, question.repository);
    if (rule) return { allowed: false, reason: 'excluded', rule };
  }
  return { allowed: true };
}

export function createIntegrationGate({
  store,
  ttlMs = 5_000,
  now = Date.now,
}: IntegrationGateOptions): IntegrationGate {
  const cache = new Map<number, { at: number; settings: Promise<IntegrationSettings> }>();

  function settings(installationId: number): Promise<IntegrationSettings> {
    const cached = cache.get(installationId);
    if (cached && now() - cached.at < ttlMs) return cached.settings;
    const read = readInstallationSettings(store, installationId);
    cache.set(installationId, { at: now(), settings: read });
    read.catch(() => cache.delete(installationId));
    return read;
  }

  return {
    settings,
    async decide(question) {
      return decideService(await settings(question.installationId), question);
    },
    forget: (installationId) => void cache.delete(installationId),
  };
}

interface DeliveryScope {
  installation?: { id: number } | null;
  repository?: { full_name: string } | null;
}

/**
 * Whether `service` may act on a delivery's repository; logs why not. Deliveries without an
 * installation are left to the handler, which reports them itself.
 */
export async function serviceAllows(
  gate: IntegrationGate,
  service: ServiceId,
  payload: DeliveryScope,
  log: { debug(details: object, message: string): void },
): Promise<boolean> {
  if (!payload.installation) return true;
  const decision = await gate.decide({
    installationId: payload.installation.id,
    service,
    ...(payload.repository ? { repository: payload.repository.full_name } : {}),
  });
  if (decision.allowed) return true;
  log.debug(
    { installation: payload.installation.id, repository: payload.repository?.full_name, service, ...decision },
    decision.reason === 'excluded'
      ? 'Repository excluded by an admin; nothing written'
      : 'Service switched off; nothing written',
  );
  return false;
}
