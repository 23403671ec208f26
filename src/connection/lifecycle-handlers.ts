/**
 * Thin handlers for the events GitHub sends every app about its installations: read the payload,
 * write what it says, and verify when the grant may have changed (created, unsuspend,
 * new_permissions_accepted). An installation once deleted is never brought back by a late event.
 */
import type { Logger } from 'pino';
import type { Probot } from 'probot';
import type { InstallationTokens } from '../github/installation-tokens.js';
import { deleteUserSessions } from '../console/auth/session-rows.js';
import { ensureGitHubIntegration } from '../integrations/store.js';
import type { Store } from '../store/database.js';
import { findDeletedInstallations, getInstallationRecord, getInstallationRow } from './installation-reads.js';
import {
  addRepositories,
  countRepositories,
  deleteInstallationData,
  recordAudit,
  removeRepositories,
  updateInstallation,
  upsertInstallation,
  type InstallationFacts,
  type RepositoryFacts,
} from './installation-rows.js';
import { readInstallationFacts, readRepositories, type InstallationPayload } from './read-installation-facts.js';
import type { VerifyAndStore } from './verify-and-store.js';
import { deriveState } from './verify/derive-state.js';

export interface LifecycleHandlersOptions {
  probot: Probot;
  store: Store;
  tokens: InstallationTokens;
  log: Logger;
  verify: VerifyAndStore;
  now?: () => number;
}

export function registerLifecycleHandlers(options: LifecycleHandlersOptions): void {
  const { probot, store, tokens, log, verify, now = Date.now } = options;

  /** Writes the installation as the payload describes it; false when it was uninstalled before. */
  async function remember(
    installation: InstallationPayload,
    adjust: (facts: InstallationFacts) => InstallationFacts = (facts) => facts,
    installedBy?: string,
  ): Promise<InstallationFacts | undefined> {
    const facts = adjust(readInstallationFacts(installation));
    if ((await findDeletedInstallations(store, [facts.id])).has(facts.id)) {
      log.info({ installation: facts.id }, 'Ignored an event for an installation that was deleted');
      return undefined;
    }
    await upsertInstallation(store, facts, { now: now(), ...(installedBy === undefined ? {} : { installedBy }) });
    await ensureGitHubIntegration(store, {
      installationId: facts.id,
      accountLogin: facts.account.login,
      host: installation.html_url ? new URL(installation.html_url).host : 'github.com',
      addedBy: installedBy ?? null,
      now: now(),
    });
    return facts;
  }

  /** Recomputes the stored state from the latest report and the suspension, without asking GitHub. */
  async function refreshState(id: number): Promise<void> {
    const record = await getInstallationRecord(store, id);
    if (!record) return;
    const suspendedAt = record.row.suspended_at === null ? null : new Date(record.row.suspended_at).toISOString();
    const state = deriveState({
      ...(record.report ? { report: record.report } : {}),
      lifecycle: { suspendedAt },
    });
    await updateInstallation(store, id, { state, updated_at: now() });
  }

  async function changeRepositories(
    facts: InstallationFacts,
    added: RepositoryFacts[],
    removed: RepositoryFacts[],
  ): Promise<void> {
    await addRepositories(store, facts.id, added);
    await removeRepositories(
      store,
      facts.id,
      removed.map((repository) => repository.id),
    );
    const row = await getInstallationRow(store, facts.id);
    const previous = row?.repository_count ?? null;
    // Selected: the rows are the list. All: the payload gives no full list, so adjust the known count.
    const count =
      facts.selection === 'selected'
        ? await countRepositories(store, facts.id)
        : previous === null
          ? null
          : Math.max(0, previous + added.length - removed.length);
    await updateInstallation(store, facts.id, { repository_count: count, updated_at: now() });
  }

  function audit(installationId: number | null, actor: string | undefined, action: string, detail?: unknown) {
    return recordAudit(store, { installationId, actor: actor ?? null, action, detail, at: now() });
  }

  probot.on('installation.created', async ({ payload }) => {
    const facts = await remember(payload.installation, undefined, payload.sender.login);
    if (!facts) return;
    const repositories = payload.repositories ? readRepositories(payload.repositories) : undefined;
    if (repositories) {
      await addRepositories(store, facts.id, repositories);
      await updateInstallation(store, facts.id, { repository_count: repositories.length, updated_at: now() });
    }
    await audit(facts.id, payload.sender.login, 'installation.created', { selection: facts.selection });
    await verify(facts.id);
  });

  probot.on('installation.deleted', async ({ payload }) => {
    const id = payload.installation.id;
    tokens.forget(id);
    const removed = await deleteInstallationData(store, id, { actor: payload.sender.login, now: now() });
    log.info({ installation: id, removed }, `Installation ${id} was deleted; its data was removed`);
  });

  probot.on('installation.suspend', async ({ payload }) => {
    const facts = await remember(payload.installation, (read) => ({
      ...read,
      suspendedAt: read.suspendedAt ?? now(),
      suspendedBy: read.suspendedBy ?? payload.sender.login,
    }));
    if (!facts) return;
    tokens.forget(facts.id);
    await refreshState(facts.id);
    await audit(facts.id, payload.sender.login, 'installation.suspend');
  });

  probot.on('installation.unsuspend', async ({ payload }) => {
    const facts = await remember(payload.installation, (read) => ({ ...read, suspendedAt: null, suspendedBy: null }));
    if (!facts) return;
    await refreshState(facts.id);
    await audit(facts.id, payload.sender.login, 'installation.unsuspend');
    await verify(facts.id);
  });

  probot.on('installation.new_permissions_accepted', async ({ payload }) => {
    const facts = await remember(payload.installation);
    if (!facts) return;
    tokens.forget(facts.id);
    await audit(facts.id, payload.sender.login, 'installation.new_permissions_accepted', {
      permissions: facts.permissions,
    });
    await verify(facts.id);
  });

  probot.on(['installation_repositories.added', 'installation_repositories.removed'], async ({ payload }) => {
    const facts = await remember(payload.installation, (read) => ({
      ...read,
      selection: payload.repository_selection,
    }));
    if (!facts) return;
    const added = readRepositories(payload.repositories_added);
    const removed = readRepositories(payload.repositories_removed);
    await changeRepositories(facts, added, removed);
    await audit(facts.id, payload.sender.login, `installation_repositories.${payload.action}`, {
      added: added.map((repository) => repository.fullName),
      removed: removed.map((repository) => repository.fullName),
    });
  });

  probot.on('installation_target.renamed', async ({ payload }) => {
    const id = payload.installation.id;
    const login = payload.account.login ?? payload.account.slug;
    if (!login || !(await getInstallationRow(store, id))) return;
    await updateInstallation(store, id, { account_login: login, updated_at: now() });
    const from = payload.changes.login?.from ?? payload.changes.slug?.from ?? null;
    await audit(id, payload.sender?.login, 'installation_target.renamed', { from, to: login });
  });

  probot.on('github_app_authorization.revoked', async ({ payload }) => {
    const ended = await deleteUserSessions(store, payload.sender.id);
    await audit(null, payload.sender.login, 'github_app_authorization.revoked', { sessionsEnded: ended });
  });
}
