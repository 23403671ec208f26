/**
 * What GitHub knows about the actions a workflow uses (security advisories, branches and tags),
 * as plain data: the handler reads it (src/pr-checks/action-facts.ts) and the audits only judge it.
 */
import type { Field, Workflow } from '../rules/workflow-model.js';
import type { AuditId } from './catalog.js';
import { listSteps } from './context.js';
import { parseVersion } from './version-range.js';

export type AdvisorySeverity = 'critical' | 'high' | 'medium' | 'low' | 'unknown';

/** One GitHub security advisory, narrowed to the ranges that concern one action. */
export interface ActionAdvisory {
  ghsaId: string;
  severity: AdvisorySeverity;
  summary: string;
  /** https://github.com/advisories/GHSA-… (or the GitHub Enterprise host's); absent when GitHub's answer was not such an address. */
  url?: string;
  /** This action's entries of the advisory's `vulnerabilities`. */
  ranges: { vulnerableVersionRange: string | null; firstPatchedVersion: string | null }[];
}

/** A branch or tag and the commit it points to (annotated tags peeled). */
export interface GitRef {
  name: string;
  commit: string;
}

export interface ActionRefs {
  tags: GitRef[];
  branches: GitRef[];
  /** GitHub had more than Keel lists (it reads a bounded number of pages). */
  truncated: boolean;
}

/** A fact, or why GitHub could not give it (the audits needing it are then skipped for that action). */
export type Fact<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Facts per action repository, keyed by `owner/repo` in lower case. */
export interface ActionFacts {
  advisories: ReadonlyMap<string, Fact<ActionAdvisory[]>>;
  refs: ReadonlyMap<string, Fact<ActionRefs>>;
  /** The audits that would have judged an action but were left out: its facts could not be had. */
  skipped?: readonly SkippedAudit[];
}

/** A `uses:` naming a repository: `owner/repo[/path]@ref`. */
export interface RemoteUses {
  field: Field;
  /** `owner/repo`, lower case (GitHub's names are case-insensitive). */
  repository: string;
  ref: string;
  /** A reusable workflow called by a job, rather than a step's action. */
  job: boolean;
}

export const FULL_SHA = /^[0-9a-f]{40}$/i;
const REMOTE_USES = /^([\w.-]+\/[\w.-]+)(?:\/[^@\s]*)?@([^\s@]+)$/;

export function parseRemoteUses(field: Field, job: boolean): RemoteUses | undefined {
  if (field.expressions.length > 0) return undefined;
  const match = REMOTE_USES.exec(field.value.trim());
  if (!match || field.value.trim().startsWith('docker://')) return undefined;
  return { field, repository: (match[1] ?? '').toLowerCase(), ref: match[2] ?? '', job };
}

/** Every `uses:` of steps (composite steps too) and reusable-workflow jobs that names a repository. */
export function listRemoteUses(workflow: Workflow): RemoteUses[] {
  return [
    ...workflow.jobs.flatMap((job) => (job.uses ? [parseRemoteUses(job.uses, true)] : [])),
    ...listSteps(workflow).flatMap(({ step }) => (step.uses ? [parseRemoteUses(step.uses, false)] : [])),
  ].filter((uses): uses is RemoteUses => uses !== undefined);
}

/**
 * The tag with the longest name at `commit` (`v4.2.2` rather than `v4`), as zizmor picks it, except
 * that a tag naming a version wins over a longer one that does not (`v4.2.2` over `latest-release`).
 */
export function findLongestTag(refs: ActionRefs, commit: string): string | undefined {
  const longest = (tags: GitRef[]) =>
    tags.reduce<string | undefined>(
      (best, tag) => (best === undefined || tag.name.length > best.length ? tag.name : best),
      undefined,
    );
  const atCommit = refs.tags.filter((tag) => tag.commit.toLowerCase() === commit.toLowerCase());
  return longest(atCommit.filter((tag) => parseVersion(tag.name) !== undefined)) ?? longest(atCommit);
}

/** Which audits a fact is needed for (known-vulnerable-actions also reads refs, but judges without them). */
export const AUDITS_READING: Record<'advisories' | 'refs', readonly AuditId[]> = {
  advisories: ['known-vulnerable-actions'],
  refs: ['ref-confusion', 'stale-action-refs'],
};

export interface SkippedAudit {
  audit: AuditId;
  /** `owner/repo` */
  action: string;
  reason: string;
}
