import type { JobStep } from '../log/attribute-steps.js';
import { createGenericParser } from './generic.js';
import { classifyGithubCause } from './github-causes.js';
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
  /** The last line of the script the step ran, as the runner echoed it. */
  lastCommand?: string | undefined;
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
  private scriptDone = false;
  private lastCommand: string | undefined;
  lineCount = 0;

  constructor(step: JobStep) {
    this.step = step;
  }

  get isFailing(): boolean {
    return this.step.conclusion === 'failure' || this.exitCode !== undefined || this.runnerErrors.length > 0;
  }

  feed(line: string): void {
    this.lineCount += 1;
    // Most lines interest no parser: one regex decides, and idle parsers are not even called.
    const hinted = isHinted(line);
    this.generic.feed(line, hinted);
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
    // A problem matcher rewrites the tool's own line as `##[error]<line>`: the tool parsers and the
    // fallback read it as the tool printed it; only the annotations parser wants the runner's mark.
    // The runner's own messages (a timeout, a cancellation) are quoted as runner errors already.
    if (classifyGithubCause(message) === null) this.generic.feed(message);
    for (const parser of this.parsers) parser.feed(parser.tool === ANNOTATIONS_TOOL ? line : message);
  }

  /** A line of the script the runner echoes in the step's `##[group]Run` header. */
  feedScriptLine(line: string): void {
    if (this.scriptDone || line.length === 0) return;
    if (/^(?:shell|with):/.test(line)) this.scriptDone = true;
    else this.lastCommand = line.trim();
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
      lastCommand: this.lastCommand,
    };
  }
}
