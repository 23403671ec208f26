/**
 * The services an admin switches on and off per integration (the console's switches, the API's
 * `PUT /api/installations/:id/services`). Each is a capability of `capabilities.ts`; opt-in ones
 * (re-run) are off until switched on. A switched-off service writes nothing.
 */
import { CAPABILITIES, type CapabilityId } from '../capabilities.js';
import { ConfigError } from '../errors.js';

export type ServiceId = Exclude<CapabilityId, 'connection'>;

export type Services = Record<ServiceId, boolean>;

export const SERVICE_IDS: readonly ServiceId[] = CAPABILITIES.filter((c) => c.id !== 'connection').map(
  (c) => c.id as ServiceId,
);

export function defaultServices(): Services {
  return Object.fromEntries(CAPABILITIES.filter((c) => c.id !== 'connection').map((c) => [c.id, !c.optIn])) as Services;
}

/** The stored JSON over the defaults; unknown keys (a service since removed) are dropped. */
export function readServices(json: string | null | undefined): Services {
  const services = defaultServices();
  if (!json) return services;
  const stored = JSON.parse(json) as Record<string, unknown>;
  for (const id of SERVICE_IDS) if (typeof stored[id] === 'boolean') services[id] = stored[id];
  return services;
}

/**
 * Applies a partial update (`{ "ci": false }`) from an admin. Unknown services and non-boolean
 * values are refused whole, so a typo never half-applies.
 */
export function applyServicesUpdate(current: Services, update: unknown): Services {
  if (!update || typeof update !== 'object' || Array.isArray(update)) {
    throw new ConfigError(
      'Services must be a JSON object of service ids to true or false.',
      `Send for example {"ci": false}. Services: ${SERVICE_IDS.join(', ')}.`,
    );
  }
  const next = { ...current };
  for (const [key, value] of Object.entries(update)) {
    if (!(SERVICE_IDS as readonly string[]).includes(key)) {
      throw new ConfigError(`"${key}" is not a Keel service.`, `Services: ${SERVICE_IDS.join(', ')}.`);
    }
    if (typeof value !== 'boolean') {
      throw new ConfigError(`Service "${key}" must be true or false.`, `Send {"${key}": true} or {"${key}": false}.`);
    }
    next[key as ServiceId] = value;
  }
  return next;
}
