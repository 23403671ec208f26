/**
 * Runs the verifier for one installation with Keel's own clients and stores what it found: the
 * report, the derived state, and what GitHub says now about the grant and the repositories.
 */
import type { KeelServices } from '../keel.js';
import { findStoredDeliveryIds } from '../inbox/deliveries.js';
import { createTimedFetch, type KeelOctokit } from '../github/octokit.js';
import { getInstallationRow } from './installation-reads.js';
import { insertReport, replaceRepositories, updateInstallation } from './installation-rows.js';
import { viewOctokit } from './octokit-view.js';
import { deriveState } from './verify/derive-state.js';
import { isRateLimited } from './verify/is-rate-limited.js';
import type { OnWriteStep, VerificationReport } from './verify/types.js';
import { verifyInstallation } from './verify/verify-installation.js';

export interface VerifyAndStoreOptions {
  /** Opt-in write round trip in `owner/name` (committing `path`); a dry run only reports the plan. */
  writeCheck?: { repo: string; dryRun: boolean; path?: string };
  /** Told as each step of a real write round trip starts and ends (before the report is stored). */
  onWriteStep?: OnWriteStep;
  /** Aborts every GitHub request of this verification (Keel stopping); then no report is stored. */
  signal?: AbortSignal;
}

/** Returns the stored report, or undefined when Keel knows no such installation. */
export type VerifyAndStore = (
  installationId: number,
  options?: VerifyAndStoreOptions,
) => Promise<VerificationReport | undefined>;

export type VerifierServices = Pick<KeelServices, 'store' | 'probot' | 'Octokit' | 'config' | 'log'>;

export interface CreateVerifierOptions {
  services: VerifierServices;
  /** Retries per GitHub request (Octokit's default, 3, when unset). */
  githubRetries?: number;
  /**
   * Someone is waiting for the answer (API, CLI, console): no retries, each request cut off after
   * this many ms, and the read checks all within 1.2 times it, so an unreachable GitHub is named
   * in seconds. A real write round trip is not cut short, so its cleanup always runs.
   */
  interactiveTimeoutMs?: number;
  now?: () => Date;
}

/** Per request; the whole interactive verification answers within about 12 s (the 15 s promise). */
export const INTERACTIVE_TIMEOUT_MS = 10_000;

/** Caps Octokit's retries for every request this client sends (read by the retry plugin). */
export function limitRetries(octokit: KeelOctokit, retries: number | undefined): KeelOctokit {
  if (retries === undefined) return octokit;
  octokit.hook.before('request', (options) => {
    options.request = { ...options.request, retries };
  });
  return octokit;
}

/** No retries and a deadline on every request this client sends. */
export function makeInteractive(octokit: KeelOctokit, fetch: typeof globalThis.fetch): KeelOctokit {
  octokit.hook.before('request', (options) => {
    options.request = { ...options.request, retries: 0, fetch };
  });
  return octokit;
}

export function createVerifier({
  services,
  githubRetries,
  interactiveTimeoutMs,
  now = () => new Date(),
}: CreateVerifierOptions): VerifyAndStore {
  const { store, probot, Octokit, config, log } = services;
  return async (installationId, options = {}) => {
    if (!(await getInstallationRow(store, installationId))) return undefined;
    let adjust = (octokit: KeelOctokit) => limitRetries(octokit, githubRetries);
    if (interactiveTimeoutMs !== undefined) {
      const writes = options.writeCheck && !options.writeCheck.dryRun;
      const deadline = writes ? undefined : AbortSignal.timeout(Math.round(interactiveTimeoutMs * 1.2));
      const fetch = createTimedFetch(interactiveTimeoutMs, deadline);
      adjust = (octokit) => makeInteractive(octokit, fetch);
    }
    const { signal } = options;
    // A view, so the hooks `adjust` adds stay off Probot's app client, which every caller shares.
    const appOctokit = adjust(viewOctokit(await probot.auth(), { signal }));
    const { visibleRepositories, ...report } = await verifyInstallation({
      appOctokit,
      installationId,
      createInstallationOctokit: (token) =>
        adjust(
          viewOctokit(
            new Octokit({
              auth: { token },
              baseUrl: config.githubApiUrl,
              log: log.child({ name: 'octokit' }),
              keelActor: String(installationId),
            } as ConstructorParameters<typeof Octokit>[0]),
            { signal },
          ),
        ),
      knownDeliveryIds: (guids) => findStoredDeliveryIds(store, guids),
      ...(options.writeCheck ? { writeCheck: options.writeCheck } : {}),
      ...(options.onWriteStep ? { onWriteStep: options.onWriteStep } : {}),
      now,
    });
    // Checks cut by the stop read as an unreachable GitHub: that report would be false.
    signal?.throwIfAborted();
    const at = Date.parse(report.at);
    // Re-read: a suspension recorded while GitHub was being asked still counts, and an
    // installation deleted meanwhile gets no report.
    const current = await getInstallationRow(store, installationId);
    if (!current) return undefined;
    const suspendedAt = current.suspended_at === null ? null : new Date(current.suspended_at).toISOString();
    const state = deriveState({ report, lifecycle: { suspendedAt } });
    const stored: VerificationReport = { ...report, state };
    // Installations found by discovery had no event listing their repositories: this list is theirs.
    if (visibleRepositories) await replaceRepositories(store, installationId, visibleRepositories);
    await insertReport(store, { installationId, at, state, json: JSON.stringify(stored) });
    await updateInstallation(store, installationId, {
      state,
      updated_at: at,
      ...(report.account ? { account_login: report.account.login, account_type: report.account.type } : {}),
      ...(report.permissions ? { permissions: JSON.stringify(report.permissions.granted) } : {}),
      ...(report.events ? { events: JSON.stringify(report.events.granted) } : {}),
      ...(report.repositories
        ? { repository_selection: report.repositories.selection, repository_count: report.repositories.count }
        : {}),
    });
    // What the console's integrations table shows of this report, kept beside it so the list parses none.
    await store.db
      .updateTable('installations')
      .set({ verified_at: at, rate_limited: isRateLimited(stored) ? 1 : 0 })
      .where('id', '=', installationId)
      .execute();
    log.info({ installation: installationId, state }, `Verified installation ${installationId}: ${state}`);
    return stored;
  };
}

/**
 * Verifies one installation now for someone waiting on the answer (the API's verify, `keel
 * verify`, the console's Test connection): no retries, a deadline per request, the cause named in
 * the report. Returns the stored report, or undefined when Keel knows no such installation.
 */
export function verifyInstallationNow(
  services: VerifierServices,
  installationId: number,
  options: VerifyAndStoreOptions & { timeoutMs?: number } = {},
): Promise<VerificationReport | undefined> {
  const { timeoutMs = INTERACTIVE_TIMEOUT_MS, ...verifyOptions } = options;
  return createVerifier({ services, interactiveTimeoutMs: timeoutMs })(installationId, verifyOptions);
}
