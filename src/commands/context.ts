/**
 * What a command runs with: Keel's services for the commands capability, where the command was
 * written, and the facts it may need, each read at most once per comment (the installation's
 * grant, the pull request, the commenter's role).
 */
import type { CapabilityDeps } from '../capability-deps.js';
import type { RerunFailedJobsRequest, RerunResult } from '../ci/rerun.js';
import type { VerificationReport } from '../connection/verify/types.js';
import type { KeelOctokit } from '../github/octokit.js';
import type { RepositoryRef } from '../github/repository.js';
import type { IntegrationSettings } from '../integrations/store.js';
import type { RepairOutcome, RepairTarget } from '../repair/repair-repository.js';
import type { ThreadKind } from './catalog.js';
import { readPullRequest, readRole, type PullRequestFacts, type Role } from './facts.js';

export interface CommandsDeps extends CapabilityDeps {
  githubWebUrl: string;
  rerun: { rerunFailedJobs(request: RerunFailedJobsRequest): Promise<RerunResult> };
  verify(installationId: number): Promise<VerificationReport | undefined>;
  repair(deps: CapabilityDeps, target: RepairTarget): Promise<RepairOutcome>;
}

export interface CommandContext {
  deps: CommandsDeps;
  installationId: number;
  repository: { id: number; owner: string; name: string; fullName: string; defaultBranch: string };
  ref: RepositoryRef;
  thread: ThreadKind;
  /** The issue or pull request number; null in discussions. */
  number: number | null;
  author: string;
  octokit: KeelOctokit;
  consoleUrl: string;
  facts: LazyFacts;
}

export interface LazyFacts {
  granted(): Promise<Record<string, string> | null>;
  installationState(): Promise<{ state: string; updatedAt: number } | null>;
  settings(): Promise<IntegrationSettings>;
  pull(): Promise<PullRequestFacts>;
  role(): Promise<Role>;
}

export function createLazyFacts(context: Omit<CommandContext, 'facts'>): LazyFacts {
  const once = <T>(read: () => Promise<T>): (() => Promise<T>) => {
    let value: Promise<T> | undefined;
    return () => (value ??= read());
  };
  const { deps, installationId } = context;
  const installation = once(() =>
    deps.store.db.selectFrom('installations').selectAll().where('id', '=', installationId).executeTakeFirst(),
  );
  return {
    granted: async () => {
      const row = await installation();
      return row ? (JSON.parse(row.permissions) as Record<string, string>) : null;
    },
    installationState: async () => {
      const row = await installation();
      return row ? { state: row.state, updatedAt: Number(row.updated_at) } : null;
    },
    settings: once(() => deps.integrations.settings(installationId)),
    pull: once(() => readPullRequest(context.octokit, context.ref, context.number ?? 0)),
    role: once(() => readRole(context.octokit, context.ref, context.author)),
  };
}

export interface Section {
  body: string;
  ok: boolean;
}
