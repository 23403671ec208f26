/**
 * The GitHub facts three workflow audits need (known-vulnerable-actions: advisories; ref-confusion
 * and stale-action-refs: branches and tags), read once per distinct action repository named on an
 * added `uses:` line, a few at a time, and kept in the store (the table repair keeps action facts
 * in, `repair_action_facts`, under keys of their own). A failed read never fails the check: the
 * fact is recorded as missing, kept for a short time so a 404 action is not asked about on every
 * push, and the audits needing it are skipped for that action, which the details page says.
 *
 * Only public facts are read and stored, so the store's answers serve every installation: the
 * token is narrowed to the pull request's repository, which is left out, and GitHub gives that
 * token nothing about other private repositories. Actions in the installation's other private
 * repositories are not asked about at all (see PRIVATE_ACTION_REASON).
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
  AUDITS_READING,
  FULL_SHA,
  listRemoteUses,
  type ActionAdvisory,
  type ActionFacts,
  type ActionRefs,
  type Fact,
  type SkippedAudit,
} from './workflow-audits/action-facts.js';
import { isAuditOn, type AuditId } from './workflow-audits/catalog.js';

/** Advisories and refs change rarely; a busy installation asks GitHub at most once per action in this time. */
export const FACTS_MAX_AGE_MS = 6 * 3_600_000;
/**
 * How long a failed read is kept before GitHub is asked again: a 404 (a deleted, renamed or
 * private repository) rarely recovers, so an hour; a 5xx or a rate limit is over in minutes.
 */
export const FAILURE_MAX_AGE_MS = { notFound: 3_600_000, transient: 15 * 60_000 } as const;
/** Every stored row's key starts with this, whatever its version. */
export const FACTS_KEY_FAMILY = 'pr-checks:';
/** Stored rows' keys start with this; a change of what a row holds changes it. */
const KEY_PREFIX = `${FACTS_KEY_FAMILY}v3`;
/** Distinct actions read at the same time. */
const CONCURRENCY = 4;
/**
 * Distinct actions read from GitHub (not found fresh in the store) for one audit of a pull
 * request: each costs up to a dozen requests of the installation's rate limit. The rest are
 * skipped this time and read by a later push, once these are in the store.
 */
export const MAX_ACTIONS_READ = 30;

export type FactKind = 'advisories' | 'refs';

export interface FactNeed {
  /** `owner/repo`, lower case. */
  repository: string;
  kind: FactKind;
  /**
   * The audits switched on that would judge this action with this fact, and are listed as
   * skipped when it cannot be read (known-vulnerable-actions reads refs too, but judges without them).
   */
  audits: AuditId[];
}

export const CAPPED_REASON = (repository: string): string =>
  `Keel did not read ${repository} this time: the pull request names more than ${MAX_ACTIONS_READ} actions it has not read recently, and it reads ${MAX_ACTIONS_READ} per push. The next push reads the rest.`;

/**
 * The facts to read: for each action repository named on a line the pull request adds to a
 * changed workflow, advisories when known-vulnerable-actions would judge one of its uses (a step's),
 * and refs when any of the three would (known-vulnerable-actions resolves `v4` or a bare SHA to its
 * release through the tags; ref-confusion judges symbolic refs, stale-action-refs a step's SHA).
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
  const on = (audit: AuditId) => isAuditOn(config.workflowAudits, audit);
  const repositories = new Map<string, Set<AuditId>>();
  for (const file of files) {
    const content = contents.get(file.filename);
    if (content === undefined) continue;
    const parsed = parseWorkflow(content);
    if (!parsed.ok) continue;
    const added = file.patch === undefined ? undefined : new Set(parsePatch(file.patch).added.map((line) => line.line));
    for (const uses of listRemoteUses(parsed.workflow)) {
      if (uses.repository === ownRepository.toLowerCase()) continue;
      if (added !== undefined && !added.has(uses.field.line)) continue;
      const audits = repositories.get(uses.repository) ?? new Set<AuditId>();
      repositories.set(uses.repository, audits);
      const pinned = FULL_SHA.test(uses.ref);
      if (!uses.job && on('known-vulnerable-actions')) audits.add('known-vulnerable-actions');
      if (!pinned && on('ref-confusion')) audits.add('ref-confusion');
      if (pinned && !uses.job && on('stale-action-refs')) audits.add('stale-action-refs');
    }
  }
  return [...repositories.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .flatMap(([repository, audits]): FactNeed[] => {
      const judging = (kind: FactKind) => AUDITS_READING[kind].filter((audit) => audits.has(audit));
      return [
        ...(audits.has('known-vulnerable-actions')
          ? [{ repository, kind: 'advisories' as const, audits: judging('advisories') }]
          : []),
        ...(audits.size > 0 ? [{ repository, kind: 'refs' as const, audits: judging('refs') }] : []),
      ];
    });
}

export interface GatherActionFactsOptions {
  octokit: KeelOctokit;
  store: Store;
  githubHost: string;
  /** The installation the pull request belongs to: its other private repositories are not read. */
  installationId: number;
  now: number;
  log: Logger;
}

/**
 * Why the audits needing facts about an action in another private repository of the installation
 * are skipped. The pull request's token covers only its own repository (least privilege), so
 * GitHub would answer 404; a wider token would put that repository's branch and tag names on a
 * details page readers of this pull request may not be allowed to see, and in a store shared
 * between installations. Keel says so instead of asking.
 */
export const PRIVATE_ACTION_REASON = (repository: string): string =>
  `Keel cannot read ${repository}: private action repository outside this pull request's token. Pin it by commit SHA and review its changes there.`;

/**
 * Reads (or finds in the store) every fact planned, GitHub asked about at most MAX_ACTIONS_READ
 * actions (in the plan's order); never throws for GitHub's answers. `skipped` lists, per fact
 * that could not be had, the audits its need names.
 */
export async function gatherActionFacts(
  options: GatherActionFactsOptions,
  needs: readonly FactNeed[],
): Promise<ActionFacts> {
  const privateRepositories = await listPrivateRepositories(options, needs);
  const facts = new Map<FactNeed, Fact<unknown>>();
  const reading = new Set<string>();
  const queue: FactNeed[] = [];
  for (const need of needs) {
    if (privateRepositories.has(need.repository)) {
      facts.set(need, { ok: false, reason: PRIVATE_ACTION_REASON(need.repository) });
      continue;
    }
    const kept = await readStoredFact(options, need);
    if (kept) facts.set(need, kept);
    else if (reading.has(need.repository) || reading.size < MAX_ACTIONS_READ) {
      reading.add(need.repository);
      queue.push(need);
    } else facts.set(need, { ok: false, reason: CAPPED_REASON(need.repository) });
  }
  const work = async (): Promise<void> => {
    for (let need = queue.shift(); need; need = queue.shift()) {
      facts.set(
        need,
        await readFact<unknown>(
          options,
          need,
          need.kind === 'advisories'
            ? (octokit, repository) => listActionAdvisories(octokit, repository, options.githubHost)
            : listActionRefs,
        ),
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, queue.length) }, work));

  const advisories = new Map<string, Fact<ActionAdvisory[]>>();
  const refs = new Map<string, Fact<ActionRefs>>();
  const skipped: SkippedAudit[] = [];
  for (const need of needs) {
    const fact = facts.get(need);
    if (!fact) continue;
    if (need.kind === 'advisories') advisories.set(need.repository, fact as Fact<ActionAdvisory[]>);
    else refs.set(need.repository, fact as Fact<ActionRefs>);
    if (!fact.ok)
      skipped.push(...need.audits.map((audit) => ({ audit, action: need.repository, reason: fact.reason })));
  }
  return { advisories, refs, skipped };
}

/** The needed repositories that Keel knows as private repositories of this installation (lower case). */
async function listPrivateRepositories(
  options: GatherActionFactsOptions,
  needs: readonly FactNeed[],
): Promise<Set<string>> {
  const wanted = new Set(needs.map((need) => need.repository));
  if (wanted.size === 0) return new Set();
  const rows = await options.store.db
    .selectFrom('repositories')
    .select('full_name')
    .where('installation_id', '=', options.installationId)
    .where('private', '=', 1)
    .execute();
  return new Set(rows.map((row) => row.full_name.toLowerCase()).filter((name) => wanted.has(name)));
}

/** What a stored row holds: the fact, and for a failure how long it stands. */
type StoredFact<T> = { ok: true; value: T } | { ok: false; reason: string; maxAgeMs: number };

const storedKeys = (options: GatherActionFactsOptions, need: FactNeed) => {
  const shared = `${KEY_PREFIX}:${need.kind}:${options.githubHost}:${need.repository}`;
  return { shared, own: `${shared}:installation:${options.installationId}` };
};

/**
 * The fact from the store when fresh. Answers and failures every installation would get alike
 * (the facts, a 404, a 5xx) are kept under the action's key; a rate limit is the installation's
 * own, so it is kept under a key of the installation's and never skips the audits of another
 * installation.
 */
async function readStoredFact(options: GatherActionFactsOptions, need: FactNeed): Promise<Fact<unknown> | undefined> {
  const { shared, own } = storedKeys(options, need);
  const rows = await options.store.db
    .selectFrom('repair_action_facts')
    .select(['uses', 'facts', 'checked_at'])
    .where('uses', 'in', [shared, own])
    .execute();
  const fresh = (key: string): StoredFact<unknown> | undefined => {
    const row = rows.find((candidate) => candidate.uses === key);
    if (!row) return undefined;
    const stored = JSON.parse(row.facts) as StoredFact<unknown>;
    return options.now - Number(row.checked_at) <= (stored.ok ? FACTS_MAX_AGE_MS : stored.maxAgeMs)
      ? stored
      : undefined;
  };
  const kept = [fresh(shared), fresh(own)];
  const found = kept.find((stored) => stored?.ok) ?? kept[1] ?? kept[0];
  return found ? toFact(found) : undefined;
}

/** The fact from GitHub, kept in the store (see readStoredFact for the keys). */
async function readFact<T>(
  options: GatherActionFactsOptions,
  need: FactNeed,
  read: (octokit: KeelOctokit, repository: string) => Promise<T>,
): Promise<Fact<T>> {
  const { shared, own } = storedKeys(options, need);
  let stored: StoredFact<T>;
  let key = shared;
  try {
    stored = { ok: true, value: await read(options.octokit, need.repository) };
  } catch (error) {
    const { installationOnly, ...failure } = describeFailure(error, need, options.githubHost);
    options.log.warn(
      { repository: need.repository, fact: need.kind, reason: failure.reason },
      'An action fact could not be read',
    );
    stored = { ok: false, ...failure };
    if (installationOnly) key = own;
  }
  const values = { facts: JSON.stringify(stored), checked_at: options.now };
  await options.store.db
    .insertInto('repair_action_facts')
    .values({ uses: key, ...values })
    .onConflict((conflict) => conflict.column('uses').doUpdateSet(values))
    .execute();
  return toFact(stored);
}

const toFact = <T>(stored: StoredFact<T>): Fact<T> =>
  stored.ok ? { ok: true, value: stored.value } : { ok: false, reason: stored.reason };

const describeDuration = (ms: number): string =>
  ms >= 3_600_000 ? `${ms / 3_600_000} hour` : `${ms / 60_000} minutes`;

/**
 * Why a read failed, in words for the details page (no tokens: GitHub's messages and Keel's
 * remedies carry none), and how long that answer is kept.
 */
function describeFailure(
  error: unknown,
  need: FactNeed,
  host: string,
): { reason: string; maxAgeMs: number; installationOnly?: boolean } {
  const what = need.kind === 'advisories' ? 'its security advisories' : 'its branches and tags';
  const classified = classifyGitHubError(error, host);
  const transient = FAILURE_MAX_AGE_MS.transient;
  const again = `Keel asks again after ${describeDuration(transient)}.`;
  switch (classified.kind) {
    case 'not-found':
      return {
        reason: `GitHub answered 404 for ${what}: the repository is private to an account outside this installation, renamed or deleted (or, for advisories, the GitHub Enterprise host does not serve them). Keel asks again after ${describeDuration(FAILURE_MAX_AGE_MS.notFound)}.`,
        maxAgeMs: FAILURE_MAX_AGE_MS.notFound,
      };
    case 'rate-limited':
      return {
        reason: `This installation's GitHub rate limit was reached while reading ${what}. ${again}`,
        maxAgeMs: transient,
        installationOnly: true,
      };
    case 'server':
      return {
        reason: `GitHub failed (${classified.status ?? 'no status'}) while reading ${what}. ${again}`,
        maxAgeMs: transient,
      };
    default:
      return { reason: `Reading ${what} failed: ${classified.message} ${again}`, maxAgeMs: transient };
  }
}
