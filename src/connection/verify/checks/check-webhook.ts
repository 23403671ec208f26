import { CAPABILITIES, type CapabilityId } from '../../../capabilities.js';
import type { CheckResult, CheckStatus, DeliverySummary, ProbotOctokitInstance } from '../types.js';
import { failedCheckFromError } from './check-result.js';

export interface CheckWebhookOptions {
  appOctokit: ProbotOctokitInstance;
  installationId: number;
  apiHost: string;
  /** Which of these delivery guids Keel stored: one store query for the whole page. */
  knownDeliveryIds: (guids: string[]) => Promise<Set<string>>;
  now: Date;
}

export interface WebhookResult {
  check: CheckResult;
  deliveries?: { failed: DeliverySummary[]; unrecorded: DeliverySummary[]; healed: DeliverySummary[] };
}

const RECENT_MS = 24 * 60 * 60 * 1000;
/** GitHub gives up on a delivery after 10 s; an answer slower than half that is a warning sign. */
const SLOW_SECONDS = 5;
const EVENT_DRIVEN: CapabilityId[] = CAPABILITIES.filter((c) => !c.optIn && c.events.length > 0).map((c) => c.id);

function isSuccess(statusCode: number): boolean {
  return statusCode >= 200 && statusCode < 300;
}

interface HookDelivery {
  status: string;
  status_code: number;
  duration: number;
}

/** Why GitHub counted an attempt as failed: no answer in time, or the status Keel answered. */
function describeFailedAttempt(attempt: HookDelivery): string {
  if (attempt.status_code === 0 || /timed out/i.test(attempt.status) || attempt.duration >= 10) return 'timed out';
  return `answered ${attempt.status_code}`;
}

/** "1 timed out, 2 answered 502": how many failed attempts had each cause. */
function countCauses(causes: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const cause of causes) counts.set(cause, (counts.get(cause) ?? 0) + 1);
  return [...counts].map(([cause, count]) => `${count} ${cause}`).join(', ');
}

function summarizeCodes(deliveries: readonly DeliverySummary[]): string {
  const counts = new Map<number, number>();
  for (const { statusCode } of deliveries) counts.set(statusCode, (counts.get(statusCode) ?? 0) + 1);
  return [...counts].map(([code, count]) => `${code} ×${count}`).join(', ');
}

/** The app's webhook configuration and this installation's deliveries of the last 24 hours. */
export async function checkWebhook(options: CheckWebhookOptions): Promise<WebhookResult> {
  const { appOctokit, installationId, apiHost, knownDeliveryIds, now } = options;
  let config;
  let items;
  try {
    ({ data: config } = await appOctokit.request('GET /app/hook/config'));
    ({ data: items } = await appOctokit.request('GET /app/hook/deliveries', {
      per_page: 100,
    }));
  } catch (error) {
    return { check: failedCheckFromError('webhook', error, apiHost) };
  }
  if (!config.url) {
    const check: CheckResult = {
      name: 'webhook',
      status: 'fail',
      finding: 'The app has no webhook URL: GitHub sends Keel no events.',
      remedy:
        "Set the Webhook URL in the app's settings to KEEL_PUBLIC_URL followed by /api/github/webhooks, and mark it Active.",
      disables: EVENT_DRIVEN,
    };
    return { check };
  }

  // Newest first: the first attempt seen for a guid is its latest, so redelivered successes count;
  // the earlier attempts still tell what GitHub saw fail.
  const latest = new Map<string, DeliverySummary>();
  const failedBefore = new Map<string, string>();
  let slow = 0;
  for (const item of items) {
    if (Number(item.installation_id) !== installationId) continue;
    if (now.getTime() - Date.parse(item.delivered_at) > RECENT_MS) continue;
    if (isSuccess(item.status_code) && item.duration >= SLOW_SECONDS) slow++;
    if (latest.has(item.guid)) {
      if (!isSuccess(item.status_code)) failedBefore.set(item.guid, describeFailedAttempt(item));
      continue;
    }
    latest.set(item.guid, {
      id: Number(item.id),
      guid: item.guid,
      event: item.event,
      action: item.action,
      statusCode: item.status_code,
      deliveredAt: item.delivered_at,
    });
  }
  const recent = [...latest.values()];
  const failed = recent.filter((d) => !isSuccess(d.statusCode));
  const delivered = recent.filter((d) => isSuccess(d.statusCode));
  const healed = delivered.filter((d) => failedBefore.has(d.guid));

  const findings = [
    `Webhook ${config.url} (${config.content_type ?? 'form'}, TLS ${String(config.insecure_ssl ?? '0') === '0' ? 'verified' : 'NOT verified'})`,
  ];
  const remedies: string[] = [];
  let status: CheckStatus = 'pass';
  let disables: CapabilityId[] = [];
  if (config.content_type !== 'json') {
    status = 'warn';
    disables = EVENT_DRIVEN;
    findings.push("content type is not json, which Keel's receiver refuses (415)");
    remedies.push('Set the content type to json: PATCH /app/hook/config with {"content_type":"json"}.');
  }
  if (String(config.insecure_ssl ?? '0') !== '0') {
    status = 'warn';
    findings.push('GitHub does not verify the TLS certificate of the webhook URL');
    remedies.push(
      'Serve Keel with a valid certificate and set insecure_ssl to "0" (Enable SSL verification in the app\'s settings).',
    );
  }

  let unrecorded: DeliverySummary[] = [];
  try {
    const known = delivered.length > 0 ? await knownDeliveryIds(delivered.map((d) => d.guid)) : new Set<string>();
    unrecorded = delivered.filter((d) => !known.has(d.guid));
  } catch (error) {
    status = 'warn';
    findings.push(
      `could not compare with stored deliveries: ${error instanceof Error ? error.message : String(error)}`,
    );
    remedies.push("Check Keel's database connection (DATABASE_URL).");
  }
  findings.push(`${recent.length} deliveries in the last 24 hours`);
  if (failed.length > 0) {
    status = 'warn';
    findings.push(`${failed.length} failed (${summarizeCodes(failed)})`);
    remedies.push(
      `Make sure ${config.url} is reachable from GitHub and answers within 10 seconds, then redeliver the failed deliveries.`,
    );
  }
  if (healed.length > 0) {
    status = 'warn';
    findings.push(`${countCauses(healed.map((d) => failedBefore.get(d.guid) ?? ''))}, redelivered`);
    remedies.push(
      'GitHub saw Keel fail to answer these (it gives up after 10 seconds) and they arrived only when redelivered: find what slows or breaks the receiver (host load, proxy, TLS) before a delivery is lost.',
    );
  }
  if (slow > 0) {
    status = 'warn';
    findings.push(`${slow} answered in ${SLOW_SECONDS} seconds or more`);
    remedies.push(
      'Keel acknowledges before processing, so a slow answer points at the network path or the host: GitHub gives up at 10 seconds.',
    );
  }
  if (unrecorded.length > 0) {
    status = 'warn';
    findings.push(`${unrecorded.length} delivered but never stored by Keel`);
    remedies.push(
      'Another Keel may share this app registration (a staging copy?), or the store lost them: redeliver them and check the receiver logs.',
    );
  }

  const check: CheckResult = {
    name: 'webhook',
    status,
    finding: `${findings.join('; ')}.`,
    remedy: remedies.join(' '),
  };
  if (disables.length > 0) check.disables = disables;
  return { check, deliveries: { failed, unrecorded, healed } };
}
