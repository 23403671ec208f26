/**
 * What each `/keel` command is: its usage, where it works, who may run it, and which service
 * and permissions it needs. Validation turns a parsed line into a command or a usage problem.
 */
import type { PermissionSet } from '../capabilities.js';
import type { ServiceId } from '../integrations/services.js';
import { RULE_ORDER } from '../pr-checks/audit.js';
import type { RuleId } from '../pr-checks/types.js';
import { escapeText } from '../ci/render.js';
import { isCommandName, type CommandLine, type CommandName } from './parse.js';

export type ThreadKind = 'issue' | 'pull' | 'discussion';

export interface CommandSpec {
  name: CommandName;
  usage: string;
  summary: string;
  /** Acting commands need write, maintain or admin on the repository. */
  acting: boolean;
  where: readonly ThreadKind[];
  service?: ServiceId;
  /** What the installation must have granted for the command to work. */
  permissions: PermissionSet;
}

const EVERYWHERE: readonly ThreadKind[] = ['issue', 'pull', 'discussion'];
const PULL_ONLY: readonly ThreadKind[] = ['pull'];

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'help',
    usage: '/keel help',
    summary: 'the commands that work here',
    acting: false,
    where: EVERYWHERE,
    permissions: {},
  },
  {
    name: 'status',
    usage: '/keel status',
    summary: "Keel's connection and this repository's services",
    acting: false,
    where: EVERYWHERE,
    permissions: {},
  },
  {
    name: 'diagnose',
    usage: '/keel diagnose [run-url|run-id]',
    summary: "the CI diagnosis of a run (default: the head's latest failed run)",
    acting: false,
    where: PULL_ONLY,
    service: 'ci',
    permissions: { actions: 'read' },
  },
  {
    name: 'rerun',
    usage: '/keel rerun',
    summary: "re-runs the failed jobs of the head's failed runs",
    acting: true,
    where: PULL_ONLY,
    service: 'rerun',
    permissions: { actions: 'write' },
  },
  {
    name: 'verify',
    usage: '/keel verify',
    summary: "checks Keel's connection to GitHub now",
    acting: true,
    where: EVERYWHERE,
    permissions: {},
  },
  {
    name: 'repair',
    usage: '/keel repair',
    summary: "scans this repository's workflows and opens or updates the repair pull request",
    acting: true,
    where: EVERYWHERE,
    service: 'repair',
    permissions: { contents: 'write', workflows: 'write', pull_requests: 'write' },
  },
  {
    name: 'check',
    usage: '/keel check',
    summary: 're-runs the pull request checks on the current head',
    acting: true,
    where: PULL_ONLY,
    service: 'pr-checks',
    permissions: { pull_requests: 'read', contents: 'read', statuses: 'write' },
  },
  {
    name: 'ignore',
    usage: '/keel ignore <rule> [reason]',
    summary: 'accepts the current findings of a rule for this pull request (rules: ' + RULE_ORDER.join(', ') + ')',
    acting: true,
    where: PULL_ONLY,
    service: 'pr-checks',
    permissions: { statuses: 'write' },
  },
];

export function specOf(name: CommandName): CommandSpec {
  const spec = COMMANDS.find((command) => command.name === name);
  if (!spec) throw new Error(`No spec for /keel ${name}`);
  return spec;
}

export type Command =
  | { name: 'help' | 'status' | 'rerun' | 'verify' | 'repair' | 'check' }
  | { name: 'diagnose'; runId: number | null }
  | { name: 'ignore'; rule: RuleId; reason: string | null };

export type ValidatedLine =
  { ok: true; command: Command; line: CommandLine } | { ok: false; line: CommandLine; problem: string; usage: string };

export interface ValidationContext {
  /** owner/name of the repository the comment is in. */
  repository: string;
  githubWebUrl: string;
}

const RUN_URL = /^\/([^/]+)\/([^/]+)\/actions\/runs\/(\d+)(?:\/|$)/;

function parseRunReference(text: string, context: ValidationContext): number | string {
  if (/^\d{1,19}$/.test(text)) return Number(text);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `"${escapeText(text)}" is neither a run id nor a run URL.`;
  }
  const match = RUN_URL.exec(url.pathname);
  if (url.origin !== new URL(context.githubWebUrl).origin || !match)
    return `"${escapeText(text)}" is not a workflow run URL.`;
  if (`${match[1]}/${match[2]}`.toLowerCase() !== context.repository.toLowerCase())
    return `That run belongs to ${escapeText(`${match[1]}/${match[2]}`)}, not ${context.repository}.`;
  return Number(match[3]);
}

function problem(line: CommandLine, text: string, usage: string): ValidatedLine {
  return { ok: false, line, problem: text, usage };
}

/** A parsed line as a command, or the problem with it (Markdown, user text escaped) and the usage to show. */
export function validateCommand(line: CommandLine, context: ValidationContext): ValidatedLine {
  const word = line.word === '' ? 'help' : line.word;
  const allUsages = COMMANDS.map((command) => command.usage).join(', ');
  if (!isCommandName(word)) return problem(line, `Keel has no command "${escapeText(word)}".`, allUsages);
  const { usage } = specOf(word);
  switch (word) {
    case 'diagnose': {
      if (line.args.length > 1) return problem(line, '`/keel diagnose` takes at most one run.', usage);
      const reference = line.args[0] === undefined ? null : parseRunReference(line.args[0], context);
      if (typeof reference === 'string') return problem(line, reference, usage);
      return { ok: true, line, command: { name: 'diagnose', runId: reference } };
    }
    case 'ignore': {
      const [rule, ...reason] = line.args;
      if (!rule) return problem(line, '`/keel ignore` needs the rule whose findings you accept.', usage);
      if (!(RULE_ORDER as readonly string[]).includes(rule))
        return problem(
          line,
          `"${escapeText(rule)}" is not a pull request check rule (${RULE_ORDER.join(', ')}).`,
          usage,
        );
      const text = reason.join(' ').trim();
      return { ok: true, line, command: { name: 'ignore', rule: rule as RuleId, reason: text || null } };
    }
    default:
      if (line.args.length > 0) return problem(line, `\`/keel ${word}\` takes no arguments.`, usage);
      return { ok: true, line, command: { name: word } };
  }
}
