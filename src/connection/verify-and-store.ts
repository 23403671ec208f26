/**
 * Runs the verifier for one installation with Keel's own clients and stores what it found: the
 * report, the derived state, and what GitHub says now about the grant and the repositories.
 */
import type { KeelServices } from '../keel.js';
import { findStoredDeliveryIds } from '../inbox/deliveries.js';
import type { KeelOctokit } from '../github/octokit.js';
import { getInstallationRow } from './installation-reads.js';
import { insertReport, updateInstallation } from './installation-rows.js';
import { deriveState } from './verify/derive-state.js';
import type { VerificationReport } from './verify/types.js';
import { verifyInstallation } from './verify/verify-installation.js';

export interface VerifyAndStoreOptions {
  /** Opt-in write round trip in `owner/name`; a dry run only reports the plan. */
  writeCheck?: { repo: string; dryRun: boolean };
}

/** Returns the stored report, or undefined when Keel knows no such installation. */
export type VerifyAndStore = (
  installationId: number,
  options?: VerifyAndStoreOptions,
) => Promise<VerificationReport | undefined>;

export interface CreateVerifierOptions {
  services: Pick<KeelServices, 'store' | 'probot' | 'Octokit' | 'config' | 'log'>;
  /** Retries per GitHub request (Octokit's default, 3, when unset). */
  githubRetries?: number;
  now?: () => Date;
}

/** Caps Octokit's retries for every request this client sends (read by the retry plugin). */
export function limitRetries(octokit: KeelOctokit, retries: number | undefined): KeelOctokit {
  if (retries === undefined) return octokit;
  octokit.hook.before('request', (options) => {
    options.request = { ...options.request, retries };
  });
  return octokit;
}

export function createVerifier({
  services,
  githubRetries,
  now = () => new Date(),
}: CreateVerifierOptions): VerifyAndStore {
  const { store, probot, Octokit, config, log } = services;
  return async (installationId, options = {}) => {
    if (!(await getInstallationRow(store, installationId))) return undefined;
    const appOctokit = limitRetries(await probot.auth(), githubRetries);
    const report = await verifyInstallation({
      appOctokit,
      installationId,
      createInstallationOctokit: (token) =>
        limitRetries(
          new Octokit({
            auth: { token },
            baseUrl: config.githubApiUrl,
            log: log.child({ name: 'octokit' }),
            keelActor: String(installationId),
          } as ConstructorParameters<typeof Octokit>[0]),
          githubRetries,
        ),
      knownDeliveryIds: (guids) => findStoredDeliveryIds(store, guids),
      ...(options.writeCheck ? { writeCheck: options.writeCheck } : {}),
      now,
    });
    const at = Date.parse(report.at);
    // Re-read: a suspension recorded while GitHub was being asked still counts, and an
    // installation deleted meanwhile gets no report.
    const current = await getInstallationRow(store, installationId);
    if (!current) return undefined;
    const suspendedAt = current.suspended_at === null ? null : new Date(current.suspended_at).toISOString();
    const state = deriveState({ report, lifecycle: { suspendedAt } });
    const stored: VerificationReport = { ...report, state };
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
    log.info({ installation: installationId, state }, `Verified installation ${installationId}: ${state}`);
    return stored;
  };
}
