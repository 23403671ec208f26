/**
 * Every console action, once: the console's forms, the JSON API and the CLI all call these. Each
 * returns plain JSON-able data, throws typed errors with a remedy, and writes an audit row (who,
 * what, when). An integration is addressed by its id (for GitHub, the installation id as text).
 */
import { getInstallationRecord, getInstallationRow } from '../connection/installation-reads.js';
import { deleteInstallationData, recordAudit, type DeletionCounts } from '../connection/installation-rows.js';
import { GITHUB_DELIVERY_RETENTION_MS, recoverDeliveries } from '../connection/recover-deliveries.js';
import { toInstallationJson, type InstallationJson } from '../connection/to-installation-json.js';
import { viewOctokit } from '../connection/octokit-view.js';
import { limitRetries, verifyInstallationNow } from '../connection/verify-and-store.js';
import { classifyGitHubError } from '../github/errors.js';
import { getDelivery, requeueDelivery, toDeliveryJson } from '../inbox/deliveries.js';
import type { KeelServices } from '../keel.js';
import { deliveryNotFound, IntegrationActionError, integrationNotFound, invalidInput } from './errors.js';
import { findExclusion, parseExclusionRules } from './exclusions.js';
import { pageAudit, pageDeliveries, type AuditQuery, type DeliveryQuery } from './history.js';
import { refreshRepositories, type RepositoryRefresh } from './refresh-repositories.js';
import { applyServicesUpdate, readServices } from './services.js';
import { ensureGitHubIntegration, readIntegration, saveExclusions, saveServices } from './store.js';
import { grantRole, listGrants, type GrantedRole } from './grants.js';
import { listIntegrationRecords } from './list-integration-records.js';
import { createWriteCheckRunner } from './run-write-check.js';
import type { WriteCheckJson } from './write-checks.js';
import { forgetRoles, type Role } from '../console/roles.js';

/** Who acted: a GitHub login for console users, `api` for the admin token. */
export type Actor = string;

export type IntegrationJson = InstallationJson & { integrationId: string; provider: string; host: string };

export interface DeliveriesQuery extends Omit<DeliveryQuery, 'installationId'> {
  integrationId?: string;
}

export interface AuditLogQuery extends Omit<AuditQuery, 'installationId'> {
  integrationId?: string;
}

/** Pull request verifications an integration's list shows. */
const WRITE_CHECK_HISTORY = 20;

export interface IntegrationActionsOptions {
  /** The most a test (verification) may take before the action answers (default 15 s). */
  testBudgetMs?: number;
  now?: () => number;
}

export function createIntegrationActions(services: KeelServices, options: IntegrationActionsOptions = {}) {
  const { store, config, log } = services;
  const now = options.now ?? Date.now;
  const testBudgetMs = options.testBudgetMs ?? 15_000;
  const verifierServices = { ...services, log: log.child({ name: 'connection' }) };
  // Made on first use: the console's setup route makes a set of actions per sign-up and never
  // starts a pull request verification, so it registers no stop hook.
  let writeCheckRunner: ReturnType<typeof createWriteCheckRunner> | undefined;
  const writeChecks = () => (writeCheckRunner ??= createWriteCheckRunner(services, { now }));

  function installationIdOf(id: string): number {
    if (!/^\d{1,15}$/.test(id)) throw integrationNotFound(id);
    return Number(id);
  }

  async function read(id: string): Promise<IntegrationJson> {
    const installationId = installationIdOf(id);
    const record = await getInstallationRecord(store, installationId);
    if (!record) throw integrationNotFound(id);
    return describe(record, await readIntegration(store, id));
  }

  function describe(
    record: Parameters<typeof toInstallationJson>[0],
    integration: Awaited<ReturnType<typeof readIntegration>>,
  ): IntegrationJson {
    return {
      ...toInstallationJson({ ...record, integration }),
      integrationId: String(record.row.id),
      provider: integration?.provider ?? (config.githubHost === 'api.github.com' ? 'github' : 'github-enterprise'),
      host: integration?.host ?? new URL(config.githubWebUrl).host,
    };
  }

  /** The integration row an admin change writes to, created for installations Keel found without one. */
  async function ensureRow(id: string): Promise<number> {
    const installationId = installationIdOf(id);
    const record = await getInstallationRecord(store, installationId);
    if (!record) throw integrationNotFound(id);
    await ensureGitHubIntegration(store, {
      installationId,
      accountLogin: record.row.account_login,
      host: new URL(config.githubWebUrl).host,
      addedBy: record.row.installed_by,
      now: now(),
    });
    return installationId;
  }

  function audit(installationId: number | null, actor: Actor, action: string, detail?: unknown) {
    return recordAudit(store, { installationId, actor, action, detail, at: now() });
  }

  async function readWriteCheck(id: string, runId: string): Promise<WriteCheckJson> {
    const found = await writeChecks().read(installationIdOf(id), runId);
    if (!found) {
      throw new IntegrationActionError(
        'WRITE_CHECK_NOT_FOUND',
        `No pull request verification ${runId} for integration ${id}.`,
        'Start one with Verify by opening a pull request.',
        404,
      );
    }
    return found;
  }

  async function runTest(id: string): Promise<IntegrationJson> {
    const installationId = installationIdOf(id);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), testBudgetMs)));
    const verification = verifyInstallationNow(verifierServices, installationId);
    const outcome = await Promise.race([verification, late]).finally(() => clearTimeout(timer));
    if (outcome === 'late') {
      verification.catch((error: unknown) =>
        log.warn({ err: error, installation: installationId }, 'A late verification failed'),
      );
      throw new IntegrationActionError(
        'VERIFICATION_TIMEOUT',
        `GitHub did not answer within ${Math.round(testBudgetMs / 1000)} s; the verification goes on and its report will show here.`,
        `Check that this server reaches ${config.githubHost}, then test again.`,
        504,
      );
    }
    if (!outcome) throw integrationNotFound(id);
    return read(id);
  }

  return {
    /**
     * Every integration (or those of `ids`), read on the lean path (see listIntegrationRecords).
     * Each report keeps its time, state and checks; the rest of it (the grant, events and a day of
     * deliveries, judged at the top already) is in GET /api/installations/:id.
     */
    async list(ids?: readonly number[]): Promise<IntegrationJson[]> {
      const records = await listIntegrationRecords(store, ids);
      return records.map((record) => {
        const integration = describe(record, record.integration);
        const report = integration.report;
        return {
          ...integration,
          report: report && {
            at: report.at,
            installationId: report.installationId,
            state: report.state,
            checks: report.checks,
          },
        };
      });
    },

    get: read,

    async test(id: string, actor: Actor): Promise<IntegrationJson> {
      const installationId = installationIdOf(id);
      const integration = await runTest(id);
      await audit(installationId, actor, 'integration.test', { state: integration.state });
      return integration;
    },

    async refresh(id: string, actor: Actor): Promise<IntegrationJson & { refresh: RepositoryRefresh }> {
      const installationId = await ensureRow(id);
      const refresh = await refreshRepositories(services, installationId, now());
      await audit(installationId, actor, 'integration.refresh', refresh);
      return { ...(await read(id)), refresh };
    },

    /** Resync: repositories refreshed, the connection verified again, its own missed deliveries asked for again. */
    async update(id: string, actor: Actor) {
      const installationId = await ensureRow(id);
      const refresh = await refreshRepositories(services, installationId, now());
      const integration = await runTest(id);
      const startedAt = now();
      let recovery;
      try {
        recovery = await recoverDeliveries({
          appOctokit: limitRetries(viewOctokit(await services.probot.auth()), 0),
          store,
          now: startedAt,
          since: startedAt - GITHUB_DELIVERY_RETENTION_MS,
          apiHost: config.githubHost,
          installationId,
        });
      } catch (error) {
        throw classifyGitHubError(error, config.githubHost);
      }
      if (recovery.requested > 0) services.worker.notify();
      const redelivered = recovery.requested;
      await audit(installationId, actor, 'integration.update', { refresh, state: integration.state, redelivered });
      return { ...integration, refresh, redelivered };
    },

    /**
     * "Verify by opening a pull request" in one of the integration's repositories: answers at once
     * with the run, every step pending; the steps are recorded as they start and end.
     */
    async startWriteCheck(id: string, repository: string, actor: Actor): Promise<WriteCheckJson> {
      const integration = await read(id);
      if (!(integration.repositories.list ?? []).some((repo) => repo.fullName === repository)) {
        throw invalidInput(
          `${repository} is not a repository of this integration.`,
          'Pick one of its repositories; refresh them first if it is new.',
        );
      }
      return readWriteCheck(id, await writeChecks().start(integration.id, repository, actor));
    },

    writeCheck: readWriteCheck,

    /** The integration's latest pull request verifications, newest first. */
    async writeChecks(id: string, limit = WRITE_CHECK_HISTORY): Promise<WriteCheckJson[]> {
      const installationId = installationIdOf(id);
      if (!(await getInstallationRow(store, installationId))) throw integrationNotFound(id);
      return writeChecks().list(installationId, limit);
    },

    /** Resolves once every pull request verification started here has finished. */
    writeChecksIdle: () => writeCheckRunner?.idle() ?? Promise.resolve(),

    async rename(id: string, name: string, actor: Actor): Promise<IntegrationJson> {
      const trimmed = name.trim();
      if (trimmed === '' || trimmed.length > 100) {
        throw invalidInput('A name must have 1 to 100 characters.', 'Send a shorter, non-blank name.');
      }
      const installationId = await ensureRow(id);
      await store.db
        .updateTable('integrations')
        .set({ name: trimmed, updated_at: now() })
        .where('id', '=', id)
        .execute();
      await audit(installationId, actor, 'integration.rename', { name: trimmed });
      return read(id);
    },

    async setServices(id: string, update: unknown, actor: Actor): Promise<IntegrationJson> {
      const installationId = await ensureRow(id);
      const current = readServices((await readIntegration(store, id))?.services);
      const next = applyServicesUpdate(current, update);
      await saveServices(store, id, next, now());
      services.integrations.forget(installationId);
      await audit(installationId, actor, 'integration.services', { services: next });
      return read(id);
    },

    async setExclusions(id: string, rules: unknown, actor: Actor): Promise<IntegrationJson> {
      const parsed = parseExclusionRules({ rules });
      const installationId = await ensureRow(id);
      await saveExclusions(store, id, parsed, now());
      services.integrations.forget(installationId);
      await audit(installationId, actor, 'integration.exclusions', { rules: parsed });
      return read(id);
    },

    /** Which stored repositories a rule set would exclude; nothing is saved. */
    async previewExclusions(id: string, rules: unknown) {
      const parsed = parseExclusionRules({ rules });
      const installationId = installationIdOf(id);
      if (!(await getInstallationRecord(store, installationId))) throw integrationNotFound(id);
      const repositories = await store.db
        .selectFrom('repositories')
        .select('full_name')
        .where('installation_id', '=', installationId)
        .orderBy('full_name')
        .execute();
      const excluded: { repository: string; rule: string }[] = [];
      const included: string[] = [];
      for (const { full_name: repository } of repositories) {
        const rule = findExclusion(parsed, repository);
        if (rule) excluded.push({ repository, rule });
        else included.push(repository);
      }
      return { rules: parsed, excluded, included };
    },

    async grants(id: string): Promise<GrantedRole[]> {
      await read(id);
      return listGrants(store, id);
    },

    async grantRole(id: string, login: string, role: Role, actor: Actor): Promise<GrantedRole[]> {
      const installationId = await ensureRow(id);
      const granted = await grantRole(store, { integrationId: id, installationId, login, role, actor, now: now() });
      await audit(installationId, actor, 'integration.role-granted', { login: granted.login, role });
      return listGrants(store, id);
    },

    /** Removes every row Keel stored for the integration, keeping one audit row; GitHub keeps the installation. */
    async remove(id: string, confirm: string, actor: Actor): Promise<{ id: string; removed: DeletionCounts }> {
      const integration = await read(id);
      if (confirm.trim().toLowerCase() !== integration.account.login.toLowerCase()) {
        throw invalidInput(
          `The confirmation "${confirm}" is not the account login.`,
          `Type the account login, ${integration.account.login}, to confirm.`,
        );
      }
      const installationId = installationIdOf(id);
      services.tokens.forget(installationId);
      const removed = await deleteInstallationData(store, installationId, { actor, now: now() });
      services.integrations.forget(installationId);
      forgetRoles(store);
      log.info({ installation: installationId, removed, actor }, `Integration ${id} was removed by ${actor}`);
      return { id, removed };
    },

    /** Uninstalls the app from the account on GitHub; GitHub's installation.deleted event then removes the data. */
    async uninstall(id: string, actor: Actor): Promise<{ id: string; uninstalled: true }> {
      const installationId = installationIdOf(id);
      await read(id);
      try {
        const app = limitRetries(viewOctokit(await services.probot.auth()), 0);
        await app.request('DELETE /app/installations/{installation_id}', { installation_id: installationId });
      } catch (error) {
        throw classifyGitHubError(error, config.githubHost);
      }
      await audit(installationId, actor, 'integration.uninstall');
      return { id, uninstalled: true };
    },

    async retryDelivery(deliveryId: string, actor: Actor) {
      const existing = await getDelivery(store, deliveryId);
      if (!existing) throw deliveryNotFound(deliveryId);
      const row = await requeueDelivery(store, deliveryId, now());
      if (!row) {
        throw new IntegrationActionError(
          'DELIVERY_NOT_RETRYABLE',
          `Only failed or dead deliveries can be retried; ${deliveryId} is ${existing.status}.`,
          'Retry a delivery whose status is failed or dead.',
          409,
        );
      }
      services.worker.notify();
      await audit(row.installation_id === null ? null : Number(row.installation_id), actor, 'delivery.retry', {
        delivery: deliveryId,
        event: row.event,
      });
      return toDeliveryJson(row);
    },

    deliveries(query: DeliveriesQuery) {
      const { integrationId, ...rest } = query;
      return pageDeliveries(store, {
        ...rest,
        ...(integrationId === undefined ? {} : { installationId: installationIdOf(integrationId) }),
      });
    },

    audit(query: AuditLogQuery) {
      const { integrationId, ...rest } = query;
      return pageAudit(store, {
        ...rest,
        ...(integrationId === undefined ? {} : { installationId: installationIdOf(integrationId) }),
      });
    },
  };
}

export type IntegrationActions = ReturnType<typeof createIntegrationActions>;
