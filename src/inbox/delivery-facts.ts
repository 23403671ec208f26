/**
 * The columns a delivery's row takes from its payload. The payload is signed, not trusted to fit:
 * a value the database would refuse (a fractional or huge id, a NUL, an over-long string) becomes
 * null, so one odd delivery can never fail the insert of the others stored with it.
 */
import { computeConcurrencyKey, readId } from './concurrency-key.js';

export interface DeliveryFacts {
  action: string | null;
  installationId: number | null;
  repository: string | null;
  concurrencyKey: string | null;
}

/** Bounds of the `action` and `repository` columns. */
const MAX_ACTION_LENGTH = 64;
const MAX_REPOSITORY_LENGTH = 256;

function readColumnText(value: unknown, maxLength: number): string | null {
  return typeof value === 'string' && value.length <= maxLength && !value.includes('\0') ? value : null;
}

export function readFacts(event: string, payload: unknown): DeliveryFacts {
  const record = (payload ?? {}) as {
    action?: unknown;
    installation?: { id?: unknown };
    repository?: { full_name?: unknown };
  };
  return {
    action: readColumnText(record.action, MAX_ACTION_LENGTH),
    installationId: readId(record.installation?.id) ?? null,
    repository: readColumnText(record.repository?.full_name, MAX_REPOSITORY_LENGTH),
    concurrencyKey: computeConcurrencyKey(event, payload),
  };
}
