/**
 * The app's setup URL (`$KEEL_PUBLIC_URL/setup`): GitHub sends the admin back here with
 * `installation_id` and `setup_action` after an install, an update or a request. The query is
 * never trusted: the installation must be one GitHub lists for the signed-in user
 * (`GET /user/installations` with the user's token) before anything is stored.
 */
import { findDeletedInstallations } from '../connection/installation-reads.js';
import { recordAudit, upsertInstallation } from '../connection/installation-rows.js';
import { readInstallationFacts, type InstallationObject } from '../connection/read-installation-facts.js';
import { KeelError } from '../errors.js';
import { createIntegrationActions } from '../integrations/actions.js';
import { ensureGitHubIntegration, githubIntegrationId } from '../integrations/store.js';
import type { KeelServices } from '../keel.js';
import { getAsUser } from './auth/github-user.js';
import { readSessionToken } from './auth/session-rows.js';
import type { ConsoleUser } from './auth/session.js';
import { forgetRoles } from './roles.js';

export type SetupOutcome =
  | { kind: 'pending-approval'; org: string | null }
  | { kind: 'installed'; integrationId: string; state: string; verified: boolean };

/** The setup URL's query does not name an installation this user can see (or one since removed). */
export class SetupError extends KeelError {
  constructor(
    message: string,
    remedy: string,
    readonly status: 400 | 404,
  ) {
    super('SETUP_REFUSED', message, remedy);
  }
}

const MAX_PAGES = 10;

async function findUserInstallation(
  services: Pick<KeelServices, 'config'>,
  token: string,
  installationId: number,
): Promise<InstallationObject | undefined> {
  for (let page = 1; page <= MAX_PAGES; page++) {
    const listing = await getAsUser<{
      total_count: number;
      installations: (InstallationObject & { app_id?: number })[];
    }>(services.config, token, `/user/installations?per_page=100&page=${page}`);
    const installations = listing?.installations ?? [];
    const found = installations.find((installation) => installation.id === installationId);
    if (found) return found;
    if (installations.length < 100) return undefined;
  }
  return undefined;
}

export async function confirmSetup(
  services: KeelServices,
  user: ConsoleUser,
  query: { installationId: string; setupAction: string; org?: string },
): Promise<SetupOutcome> {
  const now = Date.now();
  if (query.setupAction === 'request') {
    const org = query.org && /^[A-Za-z0-9-]{1,39}$/.test(query.org) ? query.org : null;
    await recordAudit(services.store, {
      installationId: null,
      actor: user.login,
      action: 'integration.requested',
      detail: { org },
      at: now,
    });
    return { kind: 'pending-approval', org };
  }
  if (query.setupAction !== 'install' && query.setupAction !== 'update') {
    throw new SetupError(
      `Unknown setup_action "${query.setupAction}".`,
      'Add the integration again from the console.',
      400,
    );
  }
  if (!/^\d{1,15}$/.test(query.installationId)) {
    throw new SetupError('The setup link names no installation.', 'Add the integration again from the console.', 400);
  }
  const installationId = Number(query.installationId);
  const token = await readSessionToken(services.store, services.config.sessionKey, user.sessionId, now);
  if (!token) throw new SetupError('Your session has ended.', 'Sign in again, then add the integration.', 400);
  const installation = await findUserInstallation(services, token, installationId);
  if (!installation) {
    throw new SetupError(
      `GitHub does not list installation ${installationId} for ${user.login}.`,
      'Install the app from the console with an account that administers the organization, then come back.',
      404,
    );
  }
  if ((await findDeletedInstallations(services.store, [installationId])).has(installationId)) {
    throw new SetupError(
      `Installation ${installationId} was removed from Keel.`,
      'Uninstall the app on GitHub and install it again: a new installation gets a new id.',
      404,
    );
  }
  const facts = readInstallationFacts(installation);
  const isNew = query.setupAction === 'install';
  await upsertInstallation(services.store, facts, { now, ...(isNew ? { installedBy: user.login } : {}) });
  await ensureGitHubIntegration(services.store, {
    installationId,
    accountLogin: facts.account.login,
    host: new URL(services.config.githubWebUrl).host,
    addedBy: user.login,
    now,
  });
  await recordAudit(services.store, {
    installationId,
    actor: user.login,
    action: `integration.${query.setupAction === 'install' ? 'added' : 'updated'}`,
    detail: { account: facts.account.login, selection: facts.selection },
    at: now,
  });
  forgetRoles(services.store, user.sessionId);
  const integrationId = githubIntegrationId(installationId);
  try {
    const verified = await createIntegrationActions(services).test(integrationId, user.login);
    return { kind: 'installed', integrationId, state: verified.state, verified: true };
  } catch (error) {
    if (!(error instanceof KeelError)) throw error;
    services.log.warn(
      { installation: installationId, code: error.code },
      `Verification after setup failed: ${error.message}`,
    );
    return { kind: 'installed', integrationId, state: 'pending', verified: false };
  }
}
