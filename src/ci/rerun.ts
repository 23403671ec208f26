/**
 * Re-runs a workflow run's failed jobs, for `/keel rerun`. It needs `actions: write`, which only
 * the opt-in `rerun` capability asks for: the installation's granted permissions are checked
 * first, and a missing grant is a RerunNotGrantedError naming the permission, the capability and
 * how an owner grants it — never a request GitHub would refuse.
 */
import { permissionsOf, satisfies } from '../capabilities.js';
import type { InstallationTokens } from '../github/installation-tokens.js';
import type { Store } from '../store/database.js';
import { RerunNotGrantedError } from './errors.js';
import { classified } from '../github/repository.js';

export interface RerunDeps {
  store: Store;
  tokens: InstallationTokens;
  /** Host named in network error messages. */
  githubHost: string;
  /** https://github.com or the GHES web URL, for the run link returned. */
  githubWebUrl: string;
}

export interface RerunRepository {
  id: number;
  owner: string;
  name: string;
}

export interface RerunFailedJobsRequest {
  installationId: number;
  repo: RerunRepository;
  runId: number;
  /** The installation's granted permissions when the caller has them (an installation payload); else read from the store. */
  grantedPermissions?: Record<string, string>;
}

export interface RerunResult {
  runId: number;
  /** The run's page on GitHub. */
  runUrl: string;
}

const RERUN_PERMISSIONS = permissionsOf('rerun');

/** The installation's granted permissions as the connection capability stored them ({} when unknown). */
export async function readGrantedPermissions(store: Store, installationId: number): Promise<Record<string, string>> {
  const row = await store.db
    .selectFrom('installations')
    .select('permissions')
    .where('id', '=', installationId)
    .executeTakeFirst();
  if (!row) return {};
  const parsed: unknown = JSON.parse(row.permissions);
  return parsed && typeof parsed === 'object' ? (parsed as Record<string, string>) : {};
}

/** Throws RerunNotGrantedError unless `granted` includes actions: write. */
export function assertRerunGranted(installationId: number, granted: Record<string, string>): void {
  if (!satisfies(granted.actions, 'write')) throw new RerunNotGrantedError(installationId, granted.actions);
}

export async function rerunFailedJobs(deps: RerunDeps, request: RerunFailedJobsRequest): Promise<RerunResult> {
  const granted = request.grantedPermissions ?? (await readGrantedPermissions(deps.store, request.installationId));
  assertRerunGranted(request.installationId, granted);
  const octokit = await deps.tokens.octokitFor({
    installationId: request.installationId,
    repositoryIds: [request.repo.id],
    permissions: RERUN_PERMISSIONS,
  });
  await classified(deps.githubHost, () =>
    octokit.request('POST /repos/{owner}/{repo}/actions/runs/{run_id}/rerun-failed-jobs', {
      owner: request.repo.owner,
      repo: request.repo.name,
      run_id: request.runId,
    }),
  );
  const repository = `${encodeURIComponent(request.repo.owner)}/${encodeURIComponent(request.repo.name)}`;
  return { runId: request.runId, runUrl: `${deps.githubWebUrl}/${repository}/actions/runs/${request.runId}` };
}

/** The re-run service with its dependencies bound, as the commands capability takes it. */
export function createRerunService(deps: RerunDeps): {
  rerunFailedJobs(request: RerunFailedJobsRequest): Promise<RerunResult>;
} {
  return { rerunFailedJobs: (request) => rerunFailedJobs(deps, request) };
}
