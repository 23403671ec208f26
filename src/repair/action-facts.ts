/**
 * What each `uses:` of a repository's workflows runs on, read from the action's own action.yml
 * at the pinned ref (so any third-party action is covered), and the release to move to: the
 * lowest major whose action.yml says node24. Official actions at a major tag need no request
 * (NODE24_MAJORS caches them); everything else is read once and kept per (action, ref).
 */
import type { KeelOctokit } from '../github/octokit.js';
import type { Store } from '../store/database.js';
import { knownFacts } from './edit-uses.js';
import { listTags, readActionRuntime, resolveCommit } from './github.js';
import { NODE24_MAJORS, RETIREMENTS } from './retirements.js';
import { readActionFacts, saveActionFacts } from './store.js';
import { majorOf, parseActionRef, SHA_PATTERN, type ActionFacts, type ActionRef } from './types.js';

const OLD_RUNTIMES = new Set(RETIREMENTS.find((row) => row.kind === 'node-runtime')?.runtimes ?? []);
export const TAG_FACTS_MAX_AGE_MS = 7 * 86_400_000;
/** How many older majors are checked, newest first, before settling on the newest. */
const MAX_MAJORS_CHECKED = 3;

export interface FactsContext {
  octokit: KeelOctokit;
  store: Store;
  host: string;
  now: number;
}

/** The newest tag of each major, by major ascending (`v5.0.1`, or `v5` when only that exists). */
function releasesByMajor(tags: readonly string[]): Map<number, string> {
  const best = new Map<number, { tag: string; rank: number[] }>();
  for (const tag of tags) {
    const match = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(tag);
    if (!match) continue;
    const rank = [
      Number(match[1]),
      match[2] === undefined ? -1 : Number(match[2]),
      match[3] === undefined ? -1 : Number(match[3]),
    ];
    const current = best.get(rank[0] ?? 0);
    if (!current || rank[1]! > current.rank[1]! || (rank[1] === current.rank[1] && rank[2]! > current.rank[2]!)) {
      best.set(rank[0] ?? 0, { tag, rank });
    }
  }
  return new Map([...best.entries()].sort(([a], [b]) => a - b).map(([major, { tag }]) => [major, tag]));
}

async function findNode24Major(
  context: FactsContext,
  action: ActionRef,
  majors: number[],
  releases: Map<number, string>,
): Promise<number | null> {
  const official = action.directory ? undefined : NODE24_MAJORS[action.repository];
  if (official !== undefined) return majors.find((major) => major >= official) ?? null;
  const newest = majors.at(-1);
  if (newest === undefined) return null;
  const runtimeOf = (major: number) =>
    readActionRuntime(context.octokit, context.host, { ...action, ref: releases.get(major) ?? '' });
  if ((await runtimeOf(newest)) !== 'node24') return null;
  for (const major of majors.slice(0, -1).slice(0, MAX_MAJORS_CHECKED)) {
    if ((await runtimeOf(major)) === 'node24') return major;
  }
  return newest;
}

async function learnFacts(context: FactsContext, action: ActionRef): Promise<ActionFacts> {
  const pinned = SHA_PATTERN.test(action.ref);
  const official = action.directory ? undefined : NODE24_MAJORS[action.repository];
  const currentMajor = majorOf(action.ref);
  const using =
    official !== undefined && currentMajor !== null
      ? currentMajor >= official
        ? 'node24'
        : 'node20'
      : await readActionRuntime(context.octokit, context.host, action);
  if (!using || !OLD_RUNTIMES.has(using)) return { using, target: null };
  const tags = await listTags(context.octokit, context.host, action.repository);
  const releases = releasesByMajor(tags);
  const majors = [...releases.keys()].filter((major) => currentMajor === null || major > currentMajor);
  const major = await findNode24Major(context, action, majors, releases);
  if (major === null) return { using, target: null };
  const version = releases.get(major) ?? `v${major}`;
  if (pinned)
    return {
      using,
      target: { ref: await resolveCommit(context.octokit, context.host, action.repository, version), version },
    };
  // Keep the reference's style: a major tag stays a major tag when the action publishes one.
  const tag = /^v?\d+$/.test(action.ref) && tags.includes(`v${major}`) ? `v${major}` : version;
  return { using, target: { ref: tag, version: tag } };
}

/** Facts for every distinct `uses:` value that needs them (others are judged without a request). */
export async function gatherActionFacts(
  context: FactsContext,
  uses: readonly string[],
): Promise<Map<string, ActionFacts>> {
  const facts = new Map<string, ActionFacts>();
  for (const value of new Set(uses)) {
    const action = parseActionRef(value);
    if (!action) continue;
    const pinned = SHA_PATTERN.test(action.ref);
    if (!pinned && /^v?\d+$/.test(action.ref) && knownFacts(action)) continue;
    const cached = await readActionFacts(context.store, value, context.now, pinned ? Infinity : TAG_FACTS_MAX_AGE_MS);
    if (cached) {
      facts.set(value, cached);
      continue;
    }
    const learnt = await learnFacts(context, action);
    await saveActionFacts(context.store, value, learnt, context.now);
    facts.set(value, learnt);
  }
  return facts;
}

/** Every `uses:` value in the texts (steps and jobs), for gatherActionFacts. */
export function collectUses(texts: readonly string[]): string[] {
  const found: string[] = [];
  for (const text of texts) {
    for (const match of text.matchAll(/^[ \t-]*uses:[ \t]*["']?([^"'\s#]+)/gm)) if (match[1]) found.push(match[1]);
  }
  return found;
}
