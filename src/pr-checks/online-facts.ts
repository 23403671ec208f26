/**
 * The GitHub facts three workflow audits need (known-vulnerable-actions: advisories; ref-confusion
 * and stale-action-refs: branches and tags), read once per distinct action repository named on an
 * added `uses:` line, a few at a time, and kept in the store for FACTS_MAX_AGE_MS (the table
 * repair keeps action facts in, `repair_action_facts`, under keys of their own). A failed read
 * never fails the check: the fact is recorded as missing and the audits needing it are skipped
 * for that action, which the details page says.
 */
import type { Logger } from 'pino';
import { classifyGitHubError } from '../github/errors.js';
import type { KeelOctokit } from '../github/octokit.js';
import type { Store } from '../store/database.js';
import type { PrChecksConfig } from './config.js';
import { parsePatch } from './diff.js';
import { listActionAdvisories, listActionRefs } from './github.js';
import { parseWorkflow } from './rules/workflow-model.js';
import type { ChangedFile } from './types.js';
import {
  listRemoteUses,
  type ActionAdvisory,
  type ActionFacts,
  type ActionRefs,
  type Fact,
} from './workflow-audits/action-facts.js';
import { isAuditOn } from './workflow-audits/catalog.js';

/** Advisories and refs change rarely; a busy installation asks GitHub at most once per action in this time. */
export const FACTS_MAX_AGE_MS = 6 * 3_600_000;
/** Distinct actions read at the same time. */
const CONCURRENCY = 4;

export type FactKind = keyof ActionFacts;

export interface FactNeed {
  /** `owner/repo`, lower case. */
  repository: string;
  kind: FactKind;
}

/**
 * The facts to read: for each action repository named on a line the pull request adds to a
 * changed workflow, advisories when known-vulnerable-actions runs, and refs when any of the three
 * runs (known-vulnerable-actions resolves `v4` or a bare SHA to its release through the tags).
 * The pull request's own repository is left out: it may be private, and facts are kept for every
 * installation to read.
 */
export function planActionFacts(
  files: readonly ChangedFile[],
  contents: ReadonlyMap<string, string>,
  config: PrChecksConfig,
  ownRepository: string,
): FactNeed[] {
  if (!config.rules.workflowRisks) return [];
  const advisories = isAuditOn(config.workflowAudits, 'known-vulnerable-actions');
  const refs =
    advisories ||
    isAuditOn(config.workflowAudits, 'ref-confusion') ||
    isAuditOn(config.workflowAudits, 'stale-action-refs');
  if (!advisories && !refs) return [];
  const repositories = new Set<string>();
  for (const file of files) {
    const content = contents.get(file.filename);
    if (content === undefined) continue;
    const parsed = parseWorkflow(content);
    if (!parsed.ok) continue;
    const added = file.patch === undefined ? undefined : new Set(parsePatch(file.patch).added.map((line) => line.line));
    for (const uses of listRemoteUses(parsed.workflow)) {
      if (uses.repository === ownRepository.toLowerCase()) continue;
      if (added === undefined || added.has(uses.field.line)) repositories.add(uses.repository);
    }
  }
  return [...repositories]
    .sort()
    .flatMap((repository): FactNeed[] => [
      ...(advisories ? [{ repository, kind: 'advisories' as const }] : []),
      ...(refs ? [{ repository, kind: 'refs' as const }] : []),
    ]);
}

export interface GatherActionFactsOptions {
  octokit: KeelOctokit;
  store: Store;
  githubHost: string;
  now: number;
  log: Logger;
}

/** Reads (or finds in the store) every fact planned; never throws for GitHub's answers. */
export async function gatherActionFacts(
  options: GatherActionFactsOptions,
  needs: readonly FactNeed[],
): Promise<ActionFacts> {
  const advisories = new Map<string, Fact<ActionAdvisory[]>>();
  const refs = new Map<string, Fact<ActionRefs>>();
  const queue = [...needs];
  const work = async (): Promise<void> => {
    for (let need = queue.shift(); need; need = queue.shift()) {
      if (need.kind === 'advisories')
        advisories.set(need.repository, await readFact(options, need, listActionAdvisories));
      else refs.set(need.repository, await readFact(options, need, listActionRefs));
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, queue.length) }, work));
  return { advisories, refs };
}

async function readFact<T>(
  options: GatherActionFactsOptions,
  need: FactNeed,
  read: (octokit: KeelOctokit, repository: string) => Promise<T>,
): Promise<Fact<T>> {
  const key = `pr-checks:${need.kind}:${options.githubHost}:${need.repository}`;
  const row = await options.store.db
    .selectFrom('repair_action_facts')
    .select(['facts', 'checked_at'])
    .where('uses', '=', key)
    .executeTakeFirst();
  if (row && options.now - Number(row.checked_at) <= FACTS_MAX_AGE_MS) {
    return { ok: true, value: JSON.parse(row.facts) as T };
  }
  let value: T;
  try {
    value = await read(options.octokit, need.repository);
  } catch (error) {
    const reason = describeFailure(error, need, options.githubHost);
    options.log.warn({ repository: need.repository, fact: need.kind, reason }, 'An action fact could not be read');
    return { ok: false, reason };
  }
  const values = { facts: JSON.stringify(value), checked_at: options.now };
  await options.store.db
    .insertInto('repair_action_facts')
    .values({ uses: key, ...values })
    .onConflict((conflict) => conflict.column('uses').doUpdateSet(values))
    .execute();
  return { ok: true, value };
}

/** Why a read failed, in words for the details page (no tokens: GitHub's messages and Keel's remedies carry none). */
function describeFailure(error: unknown, need: FactNeed, host: string): string {
  const what = need.kind === 'advisories' ? 'its security advisories' : 'its branches and tags';
  const classified = classifyGitHubError(error, host);
  switch (classified.kind) {
    case 'not-found':
      return `GitHub answered 404 for ${what}: the repository is private, renamed or deleted (or, for advisories, the GitHub Enterprise host does not serve them).`;
    case 'rate-limited':
      return `GitHub's rate limit was reached while reading ${what}; the next push audits it again.`;
    case 'server':
      return `GitHub failed (${classified.status ?? 'no status'}) while reading ${what}; the next push audits it again.`;
    default:
      return `Reading ${what} failed: ${classified.message}`;
  }
}
