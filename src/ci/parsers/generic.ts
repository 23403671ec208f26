import { isHinted, type LogParser, type ParseResult } from './log-parser.js';

const CONTEXT_BEFORE = 3;
const CONTEXT_AFTER = 8;
const MAX_BLOCK_LINES = 20;
const TAIL_LINES = 10;
const RING = 32; // more than CONTEXT_BEFORE + MAX_BLOCK_LINES
// A word, not part of a flag or a name: `-Werror`, `--fail-on-error`, `error_log` and `errors.go` are
// not errors. Case-sensitive alternatives: an /i regex with a lookbehind is several times slower.
const ERROR_WORD =
  /(?<![-\w=/.])(?:[Ee]rrors?|ERRORS?|[Ff]ail(?:ed|ure)|FAIL(?:ED|URE)?|[Ff]atal|FATAL|[Ee]xception|[Pp]anic|PANIC|[Cc]annot|[Cc]ould not|[Uu]nable to|[Nn]ot found|[Nn]o such file|[Dd]enied|DENIED|[Rr]efused|Traceback|[Tt]imed out|[Nn]o space left)(?![-=\w.])/;
// Warnings mention failures they retried or survived ("Retrying after connection broken… Failed").
const NOT_AN_ERROR =
  /\b0 (?:[Ee]rrors?|[Ff]ailures?|[Ff]ailed)\b|[Ee]rror-?free|^\s*(?:✓|✔|√|ok\b|PASS\b|[Ww]arn(?:ing)?\b|WARN(?:ING)?\b)/;
/** Progress, chatter and runtime stack frames: never quoted, never counted as context. */
const PROGRESS =
  /^\s*(?:go: (?:downloading|finding|extracting) |ok\s+\S+\s+(?:[\d.]+s|\(cached\))|\?\s+\S+\s+\[no test files\]|=== (?:PAUSE|CONT) |--- (?:PASS|SKIP): |PASS$|(?:Compiling|Downloading|Downloaded|Fresh|Checking|Updating|Installing|Resolving|Fetching|Unpacking|Preparing|Setting up|Selecting|Collecting|Using cached|Requirement already satisfied|Get:\d+|Hit:\d+|Reading package|Building dependency tree|\[INFO\] Download(?:ing|ed) from)\b|Progress: |#\d+ (?:sha256:|DONE|CACHED|\[internal\]|resolve |transferring )|at .*\((?:node:|internal\/))/;

/** True for a line that reads as an error report (the fallback's anchor). */
function isErrorLike(line: string): boolean {
  return ERROR_WORD.test(line) && !NOT_AN_ERROR.test(line) && !PROGRESS.test(line);
}

export interface GenericParser extends LogParser {
  /** `hinted`: the line passed `isHinted`, whose literals cover every error word here. */
  feed(line: string, hinted?: boolean): void;
}

/**
 * Fallback for tools no parser knows: the lines around the last error-looking line of the step
 * (a few before, the ones that follow), or its last lines when nothing looks like an error.
 * Progress lines are skipped; memory stays flat however long the step runs.
 */
export function createGenericParser(): GenericParser {
  // The last RING lines; a block is kept as positions in it and copied out only when the ring is
  // about to overwrite it, so a log full of error-looking lines allocates nothing per line.
  const ring: string[] = new Array<string>(RING);
  let seen = 0;
  let blockStart = -1; // position of the block's first line, -1 before any error
  let blockEnd = -1; // position after its last line
  let copied: string[] | null = null;
  let errorLine = '';

  const slice = (from: number, to: number): string[] => {
    const lines: string[] = [];
    for (let index = Math.max(from, seen - RING, 0); index < Math.min(to, seen); index += 1) {
      lines.push(ring[index % RING] ?? '');
    }
    return lines;
  };

  return {
    tool: 'generic',
    capturing: true,
    feed(line, hinted = isHinted(line)) {
      if (blockStart !== -1 && copied === null && seen - blockStart >= RING) copied = slice(blockStart, blockEnd);
      if (hinted && isErrorLike(line)) {
        const grows = blockStart !== -1 && seen < blockEnd && seen - blockStart < MAX_BLOCK_LINES;
        if (!grows) {
          blockStart = Math.max(0, seen - CONTEXT_BEFORE);
          copied = null;
        }
        blockEnd = Math.min(seen + 1 + CONTEXT_AFTER, blockStart + MAX_BLOCK_LINES);
        errorLine = line;
      }
      ring[seen % RING] = line;
      seen += 1;
    },
    finish(): ParseResult | null {
      const block = blockStart === -1 ? null : (copied ?? slice(blockStart, blockEnd));
      const lines = (block ?? slice(seen - TAIL_LINES, seen)).filter((line) => !PROGRESS.test(line));
      if (!lines.some((line) => line.trim().length > 0)) return null;
      const message = errorLine.trim() || (lines.findLast((line) => line.trim().length > 0)?.trim() ?? 'failed');
      return {
        tool: 'generic',
        kind: 'unknown',
        failures: [{ message }],
        failureCount: 1,
        blocks: [lines],
        confidence: block ? 0.2 : 0.1,
      };
    },
  };
}
