import {
  MAX_BLOCK_LINES,
  MAX_BLOCKS,
  MAX_FAILURES,
  type DiagnosisKind,
  type Failure,
  type ParseResult,
} from './log-parser.js';

/** Failures and their excerpt blocks, capped so a run with 10,000 failing tests stays small. */
export class FailureList {
  readonly failures: Failure[] = [];
  readonly blocks: string[][] = [];
  count = 0;

  add(failure: Failure): void {
    this.count += 1;
    if (this.failures.length < MAX_FAILURES) this.failures.push(failure);
  }

  /** Starts an excerpt block; returns null once enough blocks are kept. */
  startBlock(): string[] | null {
    if (this.blocks.length >= MAX_BLOCKS) return null;
    const block: string[] = [];
    this.blocks.push(block);
    return block;
  }

  get isFull(): boolean {
    return this.failures.length >= MAX_FAILURES && this.blocks.length >= MAX_BLOCKS;
  }

  /** What a parser that found these failures reports, or null when it found none. */
  toResult(tool: string, kind: DiagnosisKind, summary: string | undefined): ParseResult | null {
    if (this.count === 0) return null;
    return {
      tool,
      kind,
      failures: this.failures,
      failureCount: this.count,
      blocks: this.blocks,
      summary,
      confidence: 0.9,
    };
  }
}

export function pushCapped(block: string[] | null, line: string): void {
  if (block && block.length < MAX_BLOCK_LINES) block.push(line);
}

const RUNNER_WORKSPACE = /^(?:file:\/\/)?\/home\/runner\/work\/[^/]+\/[^/]+\//;

/** `/home/runner/work/repo/repo/src/a.ts` or `file:///…` or `./src/a.ts` → `src/a.ts`. */
export function relativizePath(path: string): string {
  const bare = path.replace(RUNNER_WORKSPACE, '').replace(/^file:\/\//, '');
  return bare.startsWith('./') ? bare.slice(2) : bare;
}

/** A stack frame in the project's own code rather than in a dependency or the runtime. */
export function isUserFrame(line: string): boolean {
  return !/node_modules|node:internal|node:async_hooks|\(node:|<anonymous>\)?$|internal\/|^\s*at (?:new )?Promise|\/rustc\/|hostedtoolcache/.test(
    line,
  );
}

export function toLineNumber(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number.parseInt(text, 10);
  return Number.isFinite(value) ? value : undefined;
}

/**
 * Where to point a reader for a failing test: a frame in the test's own file if the stack has one,
 * else the first frame in the project's code, else the test's declared location.
 */
export function pickLocation(
  frames: readonly { file: string; line: number | undefined }[],
  testFile: string | undefined,
): { file?: string; line?: number } {
  const inTest = testFile ? frames.find((frame) => frame.file === testFile) : undefined;
  const chosen = inTest ?? frames[0];
  if (chosen) return { file: chosen.file, line: chosen.line };
  return testFile ? { file: testFile } : {};
}
