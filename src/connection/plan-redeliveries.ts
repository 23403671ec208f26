/** Which failed webhook deliveries to ask GitHub to send again (pure). */

/** One attempt as `GET /app/hook/deliveries` lists it. */
export interface HookDeliveryAttempt {
  id: number;
  guid: string;
  delivered_at: string;
  redelivery: boolean;
  status: string;
  status_code: number;
  event: string;
  action: string | null;
  installation_id: number | null;
}

export interface RedeliveryCandidate {
  /** The attempt to redeliver (the newest failed one). */
  githubDeliveryId: number;
  guid: string;
  event: string;
  installationId: number | null;
}

export interface RedeliveryPlan {
  /** Distinct deliveries (guids) seen. */
  scanned: number;
  /** Guids with a failed attempt and none that succeeded. */
  failed: number;
  /** Failed at GitHub, yet stored by Keel (e.g. the answer was late): nothing to do. */
  stored: number;
  /** Failed, of an installation Keel has since removed: not brought back. */
  uninstalled: number;
  candidates: RedeliveryCandidate[];
}

export function isFailedAttempt(attempt: Pick<HookDeliveryAttempt, 'status' | 'status_code'>): boolean {
  return attempt.status_code < 200 || attempt.status_code >= 300 || attempt.status !== 'OK';
}

export interface PlanRedeliveriesOptions {
  attempts: readonly HookDeliveryAttempt[];
  /** Guids Keel stored. */
  storedGuids: ReadonlySet<string>;
  /** Installations Keel removed after `installation.deleted`. */
  deletedInstallations: ReadonlySet<number>;
  /** Only this installation's deliveries (one integration's Update); every installation's when absent. */
  installationId?: number;
}

/**
 * Groups attempts by guid: a delivery is redelivered when it failed, never succeeded (a
 * redelivery that went through counts), and Keel did not store it. Scoped to one installation,
 * only attempts GitHub lists with that `installation_id` count.
 */
export function planRedeliveries({
  attempts,
  storedGuids,
  deletedInstallations,
  installationId,
}: PlanRedeliveriesOptions): RedeliveryPlan {
  const byGuid = new Map<string, HookDeliveryAttempt[]>();
  const scoped =
    installationId === undefined ? attempts : attempts.filter((attempt) => attempt.installation_id === installationId);
  for (const attempt of scoped) byGuid.set(attempt.guid, [...(byGuid.get(attempt.guid) ?? []), attempt]);
  const plan: RedeliveryPlan = { scanned: byGuid.size, failed: 0, stored: 0, uninstalled: 0, candidates: [] };
  for (const [guid, tries] of byGuid) {
    if (tries.some((attempt) => !isFailedAttempt(attempt))) continue;
    plan.failed++;
    if (storedGuids.has(guid)) {
      plan.stored++;
      continue;
    }
    const newest = [...tries].sort((a, b) => Date.parse(b.delivered_at) - Date.parse(a.delivered_at) || b.id - a.id)[0];
    if (!newest) continue;
    if (newest.installation_id !== null && deletedInstallations.has(newest.installation_id)) {
      plan.uninstalled++;
      continue;
    }
    plan.candidates.push({
      githubDeliveryId: newest.id,
      guid,
      event: newest.action ? `${newest.event}.${newest.action}` : newest.event,
      installationId: newest.installation_id,
    });
  }
  return plan;
}
