/**
 * The Markdown of Keel's replies to `/keel` commands, without I/O: one reply per command comment,
 * found again by its hidden marker, with one section per command line.
 */
import { satisfies, type PermissionLevel, type PermissionName } from '../capabilities.js';
import { escapeText } from '../ci/render.js';
import type { CapabilityDeps } from '../capability-deps.js';
import { signPath } from '../http/signed-links.js';
import type { Services } from '../integrations/services.js';
import { COMMANDS, type CommandSpec, type ThreadKind } from './catalog.js';

/** The hidden marker naming the command comment a reply answers. */
export function replyMarker(commentId: number | string): string {
  return `<!-- keel:command-reply:${commentId} -->`;
}

export interface ReplySection {
  /** The command line as written. */
  line: string;
  body: string;
}

/** GitHub refuses comments over 65,536 characters. */
const REPLY_LIMIT = 60_000;
const TOO_LONG = '_Too long to show with the other commands: run this one on its own._';

/** The whole reply: the marker, then each command's section in order, within GitHub's size limit. */
export function renderReply(commentId: number | string, sections: readonly ReplySection[]): string {
  let room = REPLY_LIMIT;
  const parts = sections.map((section) => {
    const body = section.body.length <= room ? section.body : TOO_LONG;
    room -= body.length;
    return sections.length === 1 ? body : `**${inlineCode(section.line)}**\n\n${body}`;
  });
  return [replyMarker(commentId), parts.join('\n\n---\n\n')].join('\n');
}

/** Inline code that no backtick inside can close. */
export function inlineCode(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const marks = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${marks}${pad}${flat}${pad}${marks}`;
}

export function renderUsageProblem(problem: string, usage: string): string {
  return `${problem}\n\nUsage: ${usage.split(', ').map(inlineCode).join(', ')}`;
}

const THREAD_NAMES: Record<ThreadKind, string> = {
  issue: 'an issue',
  pull: 'a pull request',
  discussion: 'a discussion',
};

export function renderWrongThread(spec: CommandSpec, thread: ThreadKind): string {
  return `${inlineCode(`/keel ${spec.name}`)} works on pull requests only; this is ${THREAD_NAMES[thread]}.`;
}

export function renderRefusal(spec: CommandSpec, user: string, repository: string, has: string): string {
  return (
    `${inlineCode(`/keel ${spec.name}`)} needs write, maintain or admin on ${escapeText(repository)}; ` +
    `@${user} has ${escapeText(has)}. Ask a maintainer to run it, or to grant you write access.`
  );
}

export function renderServiceOff(spec: CommandSpec, consoleUrl: string): string {
  const optIn = spec.service === 'rerun' ? ' (it is opt-in)' : '';
  return (
    `${inlineCode(`/keel ${spec.name}`)} needs the ${inlineCode(spec.service ?? '')} service, which is switched off for this installation${optIn}. ` +
    `A Keel admin switches it on in the [console](${consoleUrl}).`
  );
}

/** The permissions a command needs that the installation has not granted (none when its grant is unknown). */
export function missingPermissions(spec: CommandSpec, granted: Record<string, string> | null): string[] {
  if (!granted) return [];
  return (Object.entries(spec.permissions) as [PermissionName, PermissionLevel][])
    .filter(([name, level]) => !satisfies(granted[name], level))
    .map(([name, level]) => `${name}: ${level}`);
}

export function renderPermissionMissing(spec: CommandSpec, missing: readonly string[]): string {
  const capability = spec.name === 'rerun' ? 'the opt-in rerun capability' : 'Keel';
  return (
    `${inlineCode(`/keel ${spec.name}`)} needs ${missing.map(inlineCode).join(', ')}, which this installation has not granted. ` +
    `To grant it, a Keel admin adds the permission to ${capability}'s GitHub App (Settings → Developer settings → GitHub Apps → Keel → Permissions & events), ` +
    'then an organization owner accepts it under Settings → GitHub Apps → Keel (Review request).'
  );
}

export interface HelpFacts {
  thread: ThreadKind;
  /** The installation's grant; null while Keel has not recorded it. */
  granted: Record<string, string> | null;
  services: Services;
  consoleUrl: string;
}

/** Why a command does not work here, or null when it does. */
export function explainUnavailable(spec: CommandSpec, facts: HelpFacts): string | null {
  if (!spec.where.includes(facts.thread)) return 'on pull requests only';
  const missing = missingPermissions(spec, facts.granted);
  if (missing.length > 0)
    return `needs ${missing.map(inlineCode).join(', ')} (a Keel admin adds it to the GitHub App, an organization owner accepts it)`;
  if (spec.service && !facts.services[spec.service])
    return `the ${inlineCode(spec.service)} service is switched off ([console](${facts.consoleUrl}))`;
  return null;
}

export function renderHelp(facts: HelpFacts): string {
  const working: string[] = [];
  const other: string[] = [];
  for (const spec of COMMANDS) {
    const why = explainUnavailable(spec, facts);
    const entry = `- ${inlineCode(spec.usage)}: ${spec.summary}${spec.acting ? ' _(write access)_' : ''}`;
    if (why === null) working.push(entry);
    else other.push(`${entry}: ${why}`);
  }
  const lines = ['**Keel commands that work here**', '', ...working];
  if (other.length > 0) lines.push('', '**Not available here**', '', ...other);
  lines.push(
    '',
    '_Write a command at the start of a line; several lines run in order. Commands marked "write access" need write, maintain or admin on this repository._',
  );
  return lines.join('\n');
}

export interface StatusFacts {
  installationId: number;
  /** The connection state Keel last derived; null when Keel has not verified it yet. */
  state: string | null;
  verifiedAt: string | null;
  repository: string;
  exclusion: string | null;
  services: Services;
  consoleUrl: string;
}

export function renderStatus(facts: StatusFacts): string {
  const state = facts.state ? `**${escapeText(facts.state)}**` : '**not verified yet**';
  const verified = facts.verifiedAt ? ` (verified ${facts.verifiedAt})` : '';
  const repository = facts.exclusion ? `excluded by rule ${inlineCode(facts.exclusion)}` : 'not excluded';
  const services = (Object.entries(facts.services) as [keyof Services, boolean][]).map(
    ([id, on]) => `${inlineCode(id)} ${on ? 'on' : 'off'}`,
  );
  return [
    `Installation ${facts.installationId}: ${state}${verified}.`,
    `Repository ${escapeText(facts.repository)}: ${repository}.`,
    `Services: ${services.join(', ')}.`,
    '',
    `[Open the console](${facts.consoleUrl})`,
  ].join('\n');
}

/** A command's failure as the reply says it: what happened and the remedy, never a stack. */
export function renderFailure(spec: CommandSpec, message: string, remedy?: string): string {
  const fix = remedy ? `\n\n${escapeText(remedy)}` : '';
  return `${inlineCode(`/keel ${spec.name}`)} failed: ${escapeText(message)}${fix}`;
}

/** A signed link to one of Keel's pages (`/ci/…`, `/pr-checks/…`). */
export function pageUrl(deps: CapabilityDeps, kind: string, id: string): string {
  return `${deps.config.publicUrl}${signPath(deps.config.linkSigningKey, kind, id)}`;
}

export function shortSha(sha: string): string {
  return inlineCode(sha.slice(0, 7));
}
