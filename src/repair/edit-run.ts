/**
 * `::set-output`, `::save-state`, `::set-env` and `::add-path` in `run:` scripts. A line of the
 * plain `echo "::set-output name=x::value"` shape in a POSIX shell step becomes
 * `echo "x=value" >> "$GITHUB_OUTPUT"`; any other use (printf, PowerShell, a quoted YAML
 * scalar whose escapes would need rewriting) is reported, never guessed at.
 */
import type { Scalar } from 'yaml';
import { RETIREMENTS } from './retirements.js';
import type { Edit } from './types.js';

export interface RunVerdict {
  rowId: string;
  /** Offset of the line in the file. */
  offset: number;
  before: string;
  after: string | null;
  edits: Edit[];
  note?: string;
}

const COMMAND_ROWS = RETIREMENTS.filter((row) => row.kind === 'workflow-command');
const ANY_COMMAND = /::(set-output|save-state|set-env|add-path)\b/;
const NAMED_ECHO = /^(\s*)echo\s+(["']?)::(set-output|save-state|set-env)\s+name=([\w.-]+)::(.*?)\2(\s*)$/;
const PATH_ECHO = /^(\s*)echo\s+(["']?)::add-path::(.*?)\2(\s*)$/;

function rewriteLine(line: string): string | null {
  const named = NAMED_ECHO.exec(line);
  if (named) {
    const [, indent, quote, command, name, value, trailing] = named;
    const envFile = COMMAND_ROWS.find((row) => row.command === command)?.envFile ?? 'GITHUB_OUTPUT';
    if (quote && (value ?? '').includes(quote)) return null;
    return `${indent}echo ${quote}${name}=${value}${quote} >> "$${envFile}"${trailing}`;
  }
  const path = PATH_ECHO.exec(line);
  if (path) {
    const [, indent, quote, value, trailing] = path;
    if (!value || (quote && value.includes(quote))) return null;
    return `${indent}echo ${quote}${value}${quote} >> "$GITHUB_PATH"${trailing}`;
  }
  return null;
}

/**
 * Findings in one `run:` scalar. `posixShell`: the step runs bash or sh (its `shell:`, or the
 * default on a Linux or macOS runner).
 */
export function judgeRun(text: string, node: Scalar, posixShell: boolean): RunVerdict[] {
  if (typeof node.value !== 'string' || !node.range || !ANY_COMMAND.test(node.value)) return [];
  const [start, valueEnd] = node.range;
  const source = text.slice(start, valueEnd);
  const rewritable = posixShell && (node.type === 'BLOCK_LITERAL' || (node.type === 'PLAIN' && !source.includes('\n')));
  const verdicts: RunVerdict[] = [];
  let offset = start;
  for (const rawLine of source.split('\n')) {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    const command = ANY_COMMAND.exec(line)?.[1];
    if (command) {
      const rowId = `command-${command}`;
      const after = rewritable ? rewriteLine(line) : null;
      const before = line.trim();
      if (after === null) {
        verdicts.push({
          rowId,
          offset,
          before,
          after: null,
          edits: [],
          note: posixShell
            ? 'Not a plain echo line; write to the environment file by hand.'
            : 'Not a POSIX shell step; write to the environment file by hand.',
        });
      } else {
        verdicts.push({
          rowId,
          offset,
          before,
          after: after.trim(),
          edits: [{ start: offset, end: offset + line.length, text: after }],
        });
      }
    }
    offset += rawLine.length + 1;
  }
  return verdicts;
}
