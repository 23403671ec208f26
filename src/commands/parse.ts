/**
 * Finds the `/keel` commands in a comment body, without I/O. A command is a line that starts
 * with `/keel` (or `@<app-slug>`) outside fenced code, indented code, quotes and HTML comments;
 * inline code cannot start a line with `/keel`, so it never counts. Several command lines run in
 * order. Arguments are split on whitespace, with "double" or 'single' quotes grouping words.
 */

export const COMMAND_NAMES = ['help', 'status', 'diagnose', 'rerun', 'verify', 'repair', 'check', 'ignore'] as const;

export type CommandName = (typeof COMMAND_NAMES)[number];

/** One command line as written: its (lowercased) word and its arguments. */
export interface CommandLine {
  /** The command word, lowercased; '' for a bare `/keel`. */
  word: string;
  args: string[];
  /** The line as written (trimmed), for replies that quote it. */
  text: string;
}

/** At most this many commands run per comment; further lines are ignored. */
export const MAX_COMMANDS = 10;

const FENCE = /^ {0,3}(`{3,}|~{3,})/;

function mentionPrefix(appSlug: string | undefined): RegExp | undefined {
  if (!appSlug) return undefined;
  const slug = appSlug.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^@${slug}(?:\\[bot\\])?(?=\\s|$)`, 'i');
}

/** Splits `text` on whitespace, keeping quoted groups together (without their quotes). */
export function splitArguments(text: string): string[] {
  const args: string[] = [];
  const pattern = /"([^"]*)"|'([^']*)'|“([^”]*)”|(\S+)/g;
  for (const match of text.matchAll(pattern)) {
    args.push(match[1] ?? match[2] ?? match[3] ?? match[4] ?? '');
  }
  return args;
}

/** The lines of `body` that are prose: outside fences, HTML comments, quotes and indented code. */
function proseLines(body: string): string[] {
  const lines: string[] = [];
  let fence: string | undefined;
  let inComment = false;
  for (const raw of body.replace(/\r\n?/g, '\n').split('\n')) {
    if (fence) {
      if (raw.trimStart().startsWith(fence) && raw.trim().replace(/[`~]/g, '') === '') fence = undefined;
      continue;
    }
    if (inComment) {
      if (raw.includes('-->')) inComment = false;
      continue;
    }
    const opening = FENCE.exec(raw);
    if (opening?.[1]) {
      fence = opening[1];
      continue;
    }
    if (raw.trimStart().startsWith('<!--')) {
      inComment = !raw.includes('-->');
      continue;
    }
    // Four leading spaces or a tab make an indented code block; `>` a quote.
    if (/^( {4}|\t)/.test(raw) || /^ {0,3}>/.test(raw)) continue;
    lines.push(raw.trim());
  }
  return lines;
}

/**
 * The command lines of a comment, in order (empty when it holds none). `appSlug` enables the
 * `@<app-slug> <command>` form.
 */
export function parseCommands(body: string | null | undefined, appSlug?: string): CommandLine[] {
  if (!body) return [];
  const mention = mentionPrefix(appSlug);
  const commands: CommandLine[] = [];
  for (const line of proseLines(body)) {
    let rest: string | undefined;
    const slash = /^\/keel(?=\s|$)/i.exec(line);
    if (slash) rest = line.slice(slash[0].length);
    else if (mention) {
      const mentioned = mention.exec(line);
      // A mention is a command only when a command word follows it.
      const word = mentioned ? line.slice(mentioned[0].length).trim().split(/\s+/)[0]?.toLowerCase() : undefined;
      if (mentioned && word && (COMMAND_NAMES as readonly string[]).includes(word))
        rest = line.slice(mentioned[0].length);
    }
    if (rest === undefined) continue;
    const [word = '', ...args] = splitArguments(rest.trim());
    commands.push({ word: word.toLowerCase(), args, text: line });
    if (commands.length === MAX_COMMANDS) break;
  }
  return commands;
}

/**
 * True when the body may hold an `@mention` command, so the app's slug is worth knowing. Wider
 * than the parser on purpose (any whitespace, any line break, any indent): the receiver stores a
 * comment this declines without running it, so it must never decline one the parser would answer.
 */
export function mayMentionApp(body: string | null | undefined): boolean {
  // Whitespace within a line only (`[^\S\r\n]`): `\s*` would also run across line breaks, and
  // scanning a body of 65,536 blank lines from each of them takes seconds.
  return !!body && /(?:^|[\r\n])[^\S\r\n]*@[A-Za-z0-9][\w-]*(?:\[bot\])?[^\S\r\n]+[A-Za-z]/.test(body);
}

export function isCommandName(word: string): word is CommandName {
  return (COMMAND_NAMES as readonly string[]).includes(word);
}
