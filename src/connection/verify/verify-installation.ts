import { UNREACHABLE_KINDS } from '../../github/errors.js';
import { checkAppCredentials } from './checks/check-app-credentials.js';
import { checkInstallation } from './checks/check-installation.js';
import { checkOrgConfig } from './checks/check-org-config.js';
import { checkPermissions } from './checks/check-permissions.js';
import { checkRateLimit } from './checks/check-rate-limit.js';
import { checkRepositories, type RepositoriesResult } from './checks/check-repositories.js';
import { skippedCheck } from './checks/check-result.js';
import { checkToken, verificationTokenPermissions } from './checks/check-token.js';
import { checkWebhook } from './checks/check-webhook.js';
import { deriveState } from './derive-state.js';
import { judgePermissions } from './judge-permissions.js';
import { planWriteRoundTrip } from './plan-write-round-trip.js';
import { resolveGitHubHost } from './resolve-github-host.js';
import { runWriteRoundTrip } from './run-write-round-trip.js';
import type {
  CheckName,
  CheckResult,
  OnWriteStep,
  PlannedStep,
  ProbotOctokitInstance,
  VerificationReport,
} from './types.js';

export interface VerifyInstallationOptions {
  /** Authenticated as the app (JWT); its `baseUrl` decides github.com or a GHES host. */
  appOctokit: ProbotOctokitInstance;
  installationId: number;
  /** Builds an Octokit for an installation token, with the caller's plugins and baseUrl. */
  createInstallationOctokit: (token: string) => ProbotOctokitInstance;
  /** Which of these delivery guids Keel stored (one store query). */
  knownDeliveryIds: (guids: string[]) => Promise<Set<string>>;
  /** Opt-in write round trip in `owner/name` (committing `path`); a dry run only reports the plan. */
  writeCheck?: { repo: string; dryRun: boolean; path?: string };
  /** Told as each step of a real write round trip starts and ends. */
  onWriteStep?: OnWriteStep;
  now?: () => Date;
}

function skipAll(names: readonly CheckName[], reason: string): CheckResult[] {
  return names.map((name) => skippedCheck(name, reason));
}

function explainFailure(check: CheckResult, apiHost: string, fallback: string): string {
  if (UNREACHABLE_KINDS.some((kind) => kind === check.kind)) return `${apiHost} could not be reached`;
  return fallback;
}

const REPOSITORY_NAME = /^[\w.-]+\/[\w.-]+$/;

/** A failed `write:branch` when the named repository cannot be the target, before any request. */
function refuseWriteTarget(
  writeCheck: { repo: string; dryRun: boolean },
  fullNames: readonly string[] | undefined,
  settingsUrl: string,
): CheckResult | undefined {
  const base = { name: 'write:branch', status: 'fail' } as const;
  if (!REPOSITORY_NAME.test(writeCheck.repo)) {
    return {
      ...base,
      finding: `"${writeCheck.repo}" is not a repository name.`,
      remedy: 'Name the repository as owner/name, e.g. acme/web.',
    };
  }
  if (writeCheck.dryRun || !fullNames || fullNames.includes(writeCheck.repo)) return undefined;
  return {
    ...base,
    finding: `${writeCheck.repo} is not among the repositories this installation can see.`,
    remedy: `Name a repository of the installation, or have an owner add ${writeCheck.repo} at ${settingsUrl}.`,
  };
}

function planWrites(writeCheck: VerifyInstallationOptions['writeCheck'], at: string): PlannedStep[] {
  if (!writeCheck) return [];
  const [owner = '', repo = ''] = writeCheck.repo.split('/');
  return planWriteRoundTrip({ owner, repo, at, ...(writeCheck.path ? { path: writeCheck.path } : {}) });
}

/**
 * Verifies one installation: credentials, installation, permissions, token, repositories, rate
 * limit, webhook, and optionally a write round trip. Checks whose prerequisite failed are skipped.
 * Costs 6 requests plus one per 100 repositories (and the write round trip when asked for).
 */
export async function verifyInstallation(options: VerifyInstallationOptions): Promise<VerificationReport> {
  const { appOctokit, installationId, createInstallationOctokit, knownDeliveryIds, writeCheck } = options;
  const now = options.now ?? (() => new Date());
  const host = resolveGitHubHost(appOctokit.request.endpoint.DEFAULTS.baseUrl);
  const apiHost = host.apiHost;
  const writePlan = planWrites(writeCheck, now().toISOString());
  const writeNames = writePlan.map((step) => step.name);
  const report: Omit<VerificationReport, 'at' | 'state' | 'checks'> = {
    installationId,
  };
  if (writeCheck) report.writePlan = writePlan;
  const finish = (checks: CheckResult[]): VerificationReport => {
    const at = now().toISOString();
    return {
      ...report,
      at,
      state: deriveState({ report: { at, checks } }),
      checks,
    };
  };

  const credentials = await checkAppCredentials({ appOctokit, host });
  if (!credentials.app) {
    const reason = explainFailure(credentials.check, apiHost, "the app's credentials were rejected");
    const rest: CheckName[] = [
      'installation',
      'permissions',
      'token',
      'repositories',
      'rate-limit',
      'org-config',
      'webhook',
      ...writeNames,
    ];
    return finish([credentials.check, ...skipAll(rest, reason)]);
  }

  const webhookRun = checkWebhook({
    appOctokit,
    installationId,
    apiHost,
    knownDeliveryIds,
    now: now(),
  });
  const { check: installationCheck, installation } = await checkInstallation({
    appOctokit,
    installationId,
    host,
    appSlug: credentials.app.slug,
  });
  const checks: CheckResult[] = [credentials.check, installationCheck];
  if (!installation) {
    const reason = explainFailure(installationCheck, apiHost, 'the installation could not be read');
    const webhook = await webhookRun;
    checks.push(
      ...skipAll(['permissions', 'token', 'repositories', 'rate-limit', 'org-config'], reason),
      webhook.check,
    );
    checks.push(...skipAll(writeNames, reason));
    return finish(checks);
  }
  if (installation.account) report.account = installation.account;

  const judgement = judgePermissions({
    granted: installation.permissions,
    grantedEvents: installation.events,
    requested: credentials.app,
  });
  report.permissions = judgement.permissions;
  report.events = judgement.events;
  report.pendingUpdate = { ...judgement.pendingUpdate, acceptUrl: installation.settingsUrl };
  checks.push(checkPermissions({ judgement, settingsUrl: installation.settingsUrl }));

  let installationOctokit: ProbotOctokitInstance | undefined;
  let repositories: RepositoriesResult | undefined;
  /** What GitHub granted the token it minted (what was asked for, when it does not say). */
  let tokenGrant: Record<string, string> = {};
  if (installation.suspended) {
    checks.push(...skipAll(['token', 'repositories', 'rate-limit', 'org-config'], 'the installation is suspended'));
  } else {
    const tokenPermissions = verificationTokenPermissions(
      writeCheck && { ...writeCheck, plan: writePlan },
      installation.permissions,
    );
    const token = await checkToken({ appOctokit, installationId, apiHost, permissions: tokenPermissions });
    checks.push(token.check);
    if (token.minted) {
      tokenGrant = token.minted.permissions ?? tokenPermissions;
      report.tokenExpiresAt = token.minted.expiresAt;
      installationOctokit = createInstallationOctokit(token.minted.token);
      repositories = await checkRepositories({
        installationOctokit,
        selection: installation.selection,
        settingsUrl: installation.settingsUrl,
        apiHost,
      });
      if (repositories.repositories) report.repositories = repositories.repositories;
      if (repositories.list) report.visibleRepositories = repositories.list;
      checks.push(repositories.check, await checkRateLimit({ installationOctokit, apiHost }));
      checks.push(
        repositories.fullNames && installation.account
          ? await checkOrgConfig({
              installationOctokit,
              account: installation.account,
              fullNames: repositories.fullNames,
              canReadContents: 'contents' in tokenGrant,
              settingsUrl: installation.settingsUrl,
              apiHost,
            })
          : skippedCheck('org-config', 'the repositories could not be listed'),
      );
    } else {
      checks.push(...skipAll(['repositories', 'rate-limit', 'org-config'], 'no installation token'));
    }
  }

  const webhook = await webhookRun;
  checks.push(webhook.check);
  if (webhook.deliveries) report.deliveries = webhook.deliveries;

  if (writeCheck) {
    const refusal = refuseWriteTarget(writeCheck, repositories?.fullNames, installation.settingsUrl);
    if (refusal) {
      checks.push(refusal, ...skipAll(writeNames.slice(1), `write:branch failed`));
    } else {
      const dryRun = writeCheck.dryRun;
      checks.push(
        ...(await runWriteRoundTrip({
          steps: writePlan,
          dryRun,
          installationOctokit,
          apiHost,
          granted: installation.permissions,
          tokenPermissions: tokenGrant,
          ...(options.onWriteStep ? { onStep: options.onWriteStep } : {}),
        })),
      );
    }
  }
  return finish(checks);
}
