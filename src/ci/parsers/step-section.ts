import type { JobStep } from '../log/attribute-steps.js';
import { createGenericParser } from './generic.js';
import { createToolParsers } from './index.js';
import { isHinted, type LogParser, type ParseResult } from './log-parser.js';

const EXIT_CODE = /^Process completed with exit code (\d+)\.$/;

export interface SectionOutcome {
  step: JobStep;
  exitCode?: number;
  /** The tool parser result that best explains the step's failure, if any tool does. */
  result: ParseResult | null;
  /** `##[error]` and `::error` annotations of the step. */
  annotations: ParseResult | null;
  /** The first error block and the last lines of the step. */
  fallback: ParseResult | null;
  /** The runner's own `##[error]` messages, minus "Process completed with exit code N." */
  runnerErrors: string[];
}

const ANNOTATIONS_TOOL = 'github-annotations';
const MAX_RUNNER_ERRORS = 5;

/** The lines of one step run through every parser; memory is bounded by the parsers' caps. */
export class StepSection {
  readonly step: JobStep;
  private readonly parsers: LogParser[] = createToolParsers();
  private readonly generic = createGenericParser();
  private exitCode: number | undefined;
  private readonly runnerErrors: string[] = [];
  private anyCapturing = false;
  lineCount = 0;

  constructor(step: JobStep) {
    this.step = step;
  }

  get isFailing(): boolean {
    return this.step.conclusion === 'failure' || this.exitCode !== undefined || this.runnerErrors.length > 0;
  }

  feed(line: string): void {
    this.lineCount += 1;
    this.generic.feed(line);
    // Most lines interest no parser: one regex decides, and idle parsers are not even called.
    const hinted = isHinted(line);
    if (!hinted && !this.anyCapturing) return;
    let capturing = false;
    for (const parser of this.parsers) {
      if (hinted || parser.capturing) parser.feed(line);
      capturing ||= parser.capturing;
    }
    this.anyCapturing = capturing;
  }

  /** A `##[error]` line written by the runner. */
  feedRunnerError(line: string, message: string): void {
    const exit = EXIT_CODE.exec(message);
    if (exit) {
      this.exitCode = Number(exit[1]);
      return;
    }
    if (this.runnerErrors.length < MAX_RUNNER_ERRORS) this.runnerErrors.push(message);
    for (const parser of this.parsers) parser.feed(line);
  }

  finish(): SectionOutcome {
    const results = this.parsers.map((parser) => parser.finish()).filter((result) => result !== null);
    const best = results
      .filter((result) => result.tool !== ANNOTATIONS_TOOL)
      .reduce<ParseResult | null>(
        (chosen, result) => (chosen === null || result.confidence > chosen.confidence ? result : chosen),
        null,
      );
    return {
      step: this.step,
      exitCode: this.exitCode,
      result: best,
      annotations: results.find((result) => result.tool === ANNOTATIONS_TOOL) ?? null,
      fallback: this.generic.finish(),
      runnerErrors: this.runnerErrors,
    };
  }
}
