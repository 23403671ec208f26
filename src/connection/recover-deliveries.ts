/**
 * Missed deliveries: GitHub keeps an app's webhook deliveries for 3 days. Deliveries that failed
 * (Keel down, a 5xx, a timeout) and that Keel never stored are asked for again, each at most
 * once: the process whose insert into `redeliveries` wins is the only one that asks.
 */
import { classifyGitHubError } from '../github/errors.js';
import type { KeelOctokit } from '../github/octokit.js';
import { findStoredDeliveryIds } from '../inbox/deliveries.js';
import type { Store } from '../store/database.js';
import { findDeletedInstallations } from './installation-reads.js';
import { planRedeliveries, type HookDeliveryAttempt, type RedeliveryCandidate } from './plan-redeliveries.js';

export const GITHUB_DELIVERY_RETENTION_MS = 3 * 24 * 60 * 60 * 1000;

export interface RecoverDeliveriesOptions {
  appOctokit: KeelOctokit;
  store: Store;
  now: number;
  /** Oldest delivery time to look at (epoch ms). */
  since: number;
  apiHost: string;
  /** Called once per redelivery Keel asked for, with how the request went. */
  onRedelivery?: (outcome: 'requested' | 'failed') => void;
  /**
   * Checked between redeliveries: Keel is shutting down, leave the rest to the next run. A
   * redelivery request that fails while it is true was cut by the stop, and is left to the next run too.
   */
  stopping?: () => boolean;
  /** Only this installation's missed deliveries (an integration's Update); all when absent. */
  installationId?: number;
}

export interface RecoveryResult {
  at: string;
  since: string;
  pages: number;
  scanned: number;
  failed: number;
  stored: number;
  uninstalled: number;
  requested: number;
  alreadyRequested: number;
  errors: { guid: string; message: string }[];
  /** Stopped before asking for every candidate (Keel shutting down). */
  interrupted: boolean;
}

async function listAttempts(
  appOctokit: KeelOctokit,
  since: number,
): Promise<{ attempts: HookDeliveryAttempt[]; pages: number }> {
  const attempts: HookDeliveryAttempt[] = [];
  let pages = 0;
  for await (const { data } of appOctokit.paginate.iterator('GET /app/hook/deliveries', { per_page: 100 })) {
    pages++;
    let older = false;
    for (const item of data) {
      if (Date.parse(item.delivered_at) < since) {
        older = true;
        continue;
      }
      attempts.push({
        id: Number(item.id),
        guid: item.guid,
        delivered_at: item.delivered_at,
        redelivery: item.redelivery,
        status: item.status,
        status_code: item.status_code,
        event: item.event,
        action: item.action,
        installation_id: item.installation_id === null ? null : Number(item.installation_id),
      });
    }
    // Newest first: once a page reaches past `since`, every later page is older still.
    if (older) break;
  }
  return { attempts, pages };
}

async function findStoredGuids(store: Store, guids: readonly string[]): Promise<Set<string>> {
  const stored = new Set<string>();
  for (let start = 0; start < guids.length; start += 500) {
    for (const guid of await findStoredDeliveryIds(store, guids.slice(start, start + 500))) stored.add(guid);
  }
  return stored;
}

/** Inserts the claim; true only for the one caller whose insert won (unique per delivery guid). */
async function claimRedelivery(store: Store, candidate: RedeliveryCandidate, now: number): Promise<boolean> {
  const result = await store.db
    .insertInto('redeliveries')
    .values({
      github_delivery_id: candidate.githubDeliveryId,
      guid: candidate.guid,
      requested_at: now,
      outcome: 'requested',
      installation_id: candidate.installationId,
    })
    .onConflict((conflict) => conflict.doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function recoverDeliveries(options: RecoverDeliveriesOptions): Promise<RecoveryResult> {
  const { appOctokit, store, now, since, apiHost, onRedelivery, stopping = () => false, installationId } = options;
  let listed;
  try {
    listed = await listAttempts(appOctokit, since);
  } catch (error) {
    throw classifyGitHubError(error, apiHost);
  }
  const guids = [...new Set(listed.attempts.map((attempt) => attempt.guid))];
  const installationIds = [
    ...new Set(
      listed.attempts.flatMap((attempt) => (attempt.installation_id === null ? [] : [attempt.installation_id])),
    ),
  ];
  const plan = planRedeliveries({
    attempts: listed.attempts,
    storedGuids: await findStoredGuids(store, guids),
    deletedInstallations: await findDeletedInstallations(store, installationIds),
    ...(installationId === undefined ? {} : { installationId }),
  });
  const result: RecoveryResult = {
    at: new Date(now).toISOString(),
    since: new Date(since).toISOString(),
    pages: listed.pages,
    scanned: plan.scanned,
    failed: plan.failed,
    stored: plan.stored,
    uninstalled: plan.uninstalled,
    requested: 0,
    alreadyRequested: 0,
    errors: [],
    interrupted: false,
  };
  for (const candidate of plan.candidates) {
    if (stopping()) {
      result.interrupted = true;
      break;
    }
    if (!(await claimRedelivery(store, candidate, now))) {
      result.alreadyRequested++;
      continue;
    }
    try {
      await appOctokit.request('POST /app/hook/deliveries/{delivery_id}/attempts', {
        delivery_id: candidate.githubDeliveryId,
      });
      result.requested++;
      onRedelivery?.('requested');
    } catch (error) {
      if (stopping()) {
        // Cut by the stop, not refused by GitHub: give the claim back so the next run asks.
        await store.db.deleteFrom('redeliveries').where('guid', '=', candidate.guid).execute();
        result.interrupted = true;
        break;
      }
      const { message } = classifyGitHubError(error, apiHost);
      await store.db
        .updateTable('redeliveries')
        .set({ outcome: 'failed' })
        .where('guid', '=', candidate.guid)
        .execute();
      result.errors.push({ guid: candidate.guid, message });
      onRedelivery?.('failed');
    }
  }
  // GitHub forgets deliveries after 3 days; so can Keel, a day later.
  await store.db
    .deleteFrom('redeliveries')
    .where('requested_at', '<', now - GITHUB_DELIVERY_RETENTION_MS - 24 * 60 * 60 * 1000)
    .execute();
  return result;
}
