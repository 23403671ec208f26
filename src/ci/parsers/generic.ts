import type { LogParser, ParseResult } from './log-parser.js';

const TAIL_LINES = 20;
const FIRST_BLOCK_LINES = 8;
const ERROR_WORD =
  /\b(?:error|errors|failed|failure|fatal|exception|panic|cannot|could not|not found|denied|refused|traceback)\b/i;
// A fast literal pre-check before the word-boundary regex, which is slow on every line.
const ERROR_HINT = /rror|RROR|ail|AIL|atal|ATAL|anic|not found|annot|ould not|denied|refused|xception|raceback/;
const NOT_AN_ERROR = /\b0 (?:errors?|failures?|failed)\b|--no-error|error-?free|\bwarnings?\b.*\b0 errors\b/i;

/**
 * Fallback for tools no parser knows: the first block that looks like an error, and the last
 * lines of the step (kept in a ring buffer, so memory stays flat however long the step runs).
 */
export function createGenericParser(): LogParser & { readonly hasErrorBlock: boolean } {
  const ring: string[] = new Array<string>(TAIL_LINES);
  const firstBlock: string[] = [];
  let seen = 0;
  let blockStart = -1;
  let blockOpen = false;

  return {
    tool: 'generic',
    capturing: true,
    get hasErrorBlock() {
      return firstBlock.length > 0;
    },
    feed(line) {
      ring[seen % TAIL_LINES] = line;
      if (blockOpen) {
        if (line.trim().length === 0 || firstBlock.length >= FIRST_BLOCK_LINES) blockOpen = false;
        else firstBlock.push(line);
      } else if (blockStart === -1 && ERROR_HINT.test(line) && ERROR_WORD.test(line) && !NOT_AN_ERROR.test(line)) {
        blockStart = seen;
        blockOpen = true;
        firstBlock.push(line);
      }
      seen += 1;
    },
    finish(): ParseResult | null {
      const tailStart = Math.max(0, seen - TAIL_LINES);
      const tail: string[] = [];
      for (let index = tailStart; index < seen; index += 1) tail.push(ring[index % TAIL_LINES] ?? '');
      // The first error block may overlap the tail: keep each line once.
      const head = blockStart === -1 ? [] : firstBlock.slice(0, Math.max(0, tailStart - blockStart));
      const blocks = [head, tail].filter((block) => block.some((line) => line.trim().length > 0));
      if (blocks.length === 0) return null;
      const message = firstBlock[0]?.trim() ?? tail.findLast((line) => line.trim().length > 0)?.trim() ?? 'failed';
      return {
        tool: 'generic',
        kind: 'unknown',
        failures: [{ message }],
        failureCount: 1,
        blocks,
        confidence: firstBlock.length > 0 ? 0.2 : 0.1,
      };
    },
  };
}
