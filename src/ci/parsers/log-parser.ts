export type DiagnosisKind =
  | 'test-failure'
  | 'compile-error'
  | 'lint'
  | 'dependency-install'
  | 'timeout'
  | 'cancelled'
  | 'infrastructure'
  | 'github-deprecation'
  | 'unknown';

export interface Failure {
  /** Test name as the tool prints it (suites joined with " > "), absent for non-test failures. */
  test?: string;
  /** Repository-relative path where the tool could tell. */
  file?: string;
  line?: number;
  message: string;
  /** Set by markKnownFlaky. */
  knownFlaky?: boolean;
}

export interface ParseResult {
  tool: string;
  kind: DiagnosisKind;
  /** At most MAX_FAILURES, in log order. */
  failures: Failure[];
  /** Every failure seen, including those past the cap. */
  failureCount: number;
  /** Excerpt candidates: per failure, the few lines that explain it, in log order. */
  blocks: string[][];
  /** A closing line worth quoting ("Tests  3 failed | 3 passed (6)"). */
  summary?: string;
  /** 0–1: how sure the parser is that this tool caused the failure. */
  confidence: number;
}

/**
 * A parser is fed the lines of one step, already normalised, and keeps bounded state only.
 * `capturing` tells the caller the parser wants every line, not just the lines that pass the shared
 * prefilter (isHinted); parsers must react only to hinted lines while not capturing.
 */
export interface LogParser {
  readonly tool: string;
  readonly capturing: boolean;
  feed(line: string): void;
  finish(): ParseResult | null;
}

export const MAX_FAILURES = 20;
export const MAX_BLOCKS = 6;
export const MAX_BLOCK_LINES = 60;

// Every line a parser reacts to while idle contains one of these literals, starts with one of the
// line-start tokens, or has one of the runners' marks (✖ × ● ⎯) as its first visible character.
// Plain literals keep the regex fast; a character class of non-Latin-1 symbols would not.
// Also every literal of the fallback's error words, so it can skip lines that are not hinted.
const HINT_ANYWHERE =
  /rror|RROR|ail|AIL|passing|anic|not ok|test result|Tests run|went wrong|YN00|ERR_PNPM|Subtest|Dockerfile:|non-zero code|raceback|atal|ATAL|annot|ould not|nable to|o such file|denied|DENIED|refused|xception|timed out|o space left/;
const HINT_AT_START = /^(?:e: |-{4}|={3}|_{3}|# [\w./-]+(?: \[[\w./-]+\])?$|\/\S+$)/;
const SPACE = 32;
const START_TOKEN_CHARS = new Set([101, 45, 61, 95, 35, 47]); // e - = _ # /
const RUNNER_MARKS = new Set([0x2716, 0xd7, 0x25cf, 0x23af]); // ✖ × ● ⎯

/** One cheap test per line before any parser runs its own patterns. */
export function isHinted(line: string): boolean {
  let at = 0;
  while (line.charCodeAt(at) === SPACE) at += 1;
  const first = line.charCodeAt(at);
  if (RUNNER_MARKS.has(first)) return true;
  if (at === 0 && START_TOKEN_CHARS.has(first) && HINT_AT_START.test(line)) return true;
  return HINT_ANYWHERE.test(line);
}
