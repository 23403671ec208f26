import { FailureList, pushCapped, relativizePath, toLineNumber } from './failure-list.js';
import type { DiagnosisKind, Failure, LogParser, ParseResult } from './log-parser.js';

// On GitHub's runners Maven's `[ERROR] ` often reaches the log as `Error:  ` (same width).
const ERROR_PREFIX = /^(?:\[ERROR\] ?|Error: {2})/;
const LOG_PREFIX = /^(?:\[(?:INFO|ERROR|WARNING|WARN)\]|Error: {2}|Warning: {2})/;
// Surefire 3: `pkg.Class.method -- Time elapsed`; 3.0.0-M: `pkg.Class.method  Time elapsed`;
// 2.x and JUnit 4 style: `method(pkg.Class)  Time elapsed`. Surefire 2.12 prints them without `[ERROR]`.
const TEST_HEADER =
  /^(?:([\w.$]+)\.([\w$]+)(?: --|\s{2,})\s*Time elapsed|([\w$]+)\(([\w.$]+)\)\s+Time elapsed).*<<< (?:FAILURE|ERROR)!$/;
// Surefire 2.x's closing summary: `Failed tests:   method(pkg.Class): message`, `Tests in error:` then entries.
const LEGACY_RESULTS = /^(?:Failed tests:|Tests in error:)\s*$|^Failed tests:\s+\S/;
const LEGACY_ENTRY = /^(?:Failed tests:)?\s+([\w$]+)\(([\w.$]+)\)(?:: (.*))?$/;
const LEGACY_SUMMARY = /^Tests run: \d+, Failures: \d+, Errors: \d+, Skipped: \d+$/;
const RESULT_ENTRY = /^ {2}([\w$]+)\.([\w$]+):(\d+) (.*)$/;
const COMPILE_ERROR = /^(\/\S+\.(?:java|kt|scala|groovy)):\[(\d+),\d+\] (.*)$/;
const JVM_FRAME = /^\tat ([\w.$]+)\.[\w$<>]+\(([\w$]+\.(?:java|kt|scala|groovy)):(\d+)\)$/;
const LIBRARY_CLASS =
  /^(?:java\.|javax\.|jdk\.|sun\.|org\.junit\.|org\.opentest4j\.|org\.apache\.maven\.|org\.assertj\.|org\.hamcrest\.)/;
const DEPENDENCY_PROBLEM = /resolve dependencies|Could not transfer artifact|Non-resolvable|could not be resolved/;

interface Detail {
  failure: Failure;
  className: string;
  block: string[] | null;
  /** Where it was thrown, and where the test called it: both help, the test's line locates it. */
  thrownAt?: RegExpExecArray;
  calledAt?: RegExpExecArray;
}

// The lines this parser reacts to while idle; a cheap first test before its own patterns.
const IDLE_LINE = /^(?:\[ERROR\]|Error: {2}|Failed tests:|Tests in error:)|<<< (?:FAILURE|ERROR)!$/;

/** Maven: Surefire/Failsafe test reports, compiler errors, and the goal that failed. */
export function createMavenParser(): LogParser {
  const tests = new FailureList();
  const results: Failure[] = [];
  const compile = new FailureList();
  const seenCompile = new Set<string>();
  let detail: Detail | null = null;
  let compileOpen = false;
  let inResults = false;
  let goal: string | undefined;
  let summary: string | undefined;
  let inLegacyResults = false;

  const startDetail = (header: RegExpExecArray, line: string): void => {
    const className = header[1] ?? header[4] ?? '';
    const failure: Failure = {
      test: `${className.split('.').pop() ?? ''}.${header[2] ?? header[3] ?? ''}`,
      message: 'failed',
    };
    tests.add(failure);
    detail = { failure, className, block: tests.startBlock() };
    pushCapped(detail.block, line);
  };

  /** Surefire 2.x prints test reports and its summary without a log prefix. */
  const feedLegacy = (line: string): boolean => {
    const header = TEST_HEADER.exec(line);
    if (header) {
      startDetail(header, line);
      return true;
    }
    if (LEGACY_RESULTS.test(line)) inLegacyResults = true;
    if (!inLegacyResults) return false;
    const entry = LEGACY_ENTRY.exec(line);
    if (entry && results.length < 20) {
      const className = entry[2] ?? '';
      results.push({ test: `${className.split('.').pop() ?? ''}.${entry[1] ?? ''}`, message: entry[3] ?? 'failed' });
    } else if (LEGACY_SUMMARY.test(line)) {
      summary = line;
      inLegacyResults = false;
    }
    return true;
  };

  const feedDetail = (current: Detail, line: string): void => {
    if (current.failure.message === 'failed') {
      current.failure.message = line.trim();
      pushCapped(current.block, line);
      return;
    }
    const frame = JVM_FRAME.exec(line);
    if (!frame || LIBRARY_CLASS.test(frame[1] ?? '')) return;
    if (!current.thrownAt) {
      current.thrownAt = frame;
      pushCapped(current.block, line);
    }
    if (!current.calledAt && frame[1] === current.className) {
      current.calledAt = frame;
      if (frame !== current.thrownAt) pushCapped(current.block, line);
    }
    const located = current.calledAt ?? current.thrownAt;
    current.failure.file = located[2];
    current.failure.line = toLineNumber(located[3]);
  };

  return {
    tool: 'maven',
    get capturing() {
      return detail !== null || compileOpen || inLegacyResults;
    },
    feed(raw) {
      if (!this.capturing && !IDLE_LINE.test(raw)) return;
      const prefixed = ERROR_PREFIX.exec(raw);
      const isLogLine = LOG_PREFIX.test(raw);
      const line = prefixed ? raw.slice(prefixed[0].length) : raw;
      if (!isLogLine) {
        if (feedLegacy(line)) return;
        // Exception messages, stack frames and `symbol:` lines come without a prefix.
        if (detail && line.trim().length > 0) feedDetail(detail, line);
        else detail = null;
        if (compileOpen) pushCapped(compile.blocks[compile.blocks.length - 1] ?? null, line);
        return;
      }
      detail = null;
      compileOpen = false;
      if (!prefixed) return;
      const header = TEST_HEADER.exec(line);
      if (header) {
        startDetail(header, line);
        return;
      }
      if (/^(?:Failures|Errors|Flakes): ?$/.test(line)) inResults = true;
      const entry = inResults ? RESULT_ENTRY.exec(line) : null;
      if (entry && results.length < 20) {
        results.push({
          test: `${entry[1] ?? ''}.${entry[2] ?? ''}`,
          line: toLineNumber(entry[3]),
          message: entry[4] ?? '',
        });
      }
      if (/^Tests run: \d+, Failures: \d+, Errors: \d+, Skipped: \d+$/.test(line)) {
        summary = line;
        inResults = false;
      }
      const compileError = COMPILE_ERROR.exec(line);
      // Maven repeats its compiler errors after "Failed to execute goal": keep the first of each.
      if (compileError && !seenCompile.has(line) && seenCompile.size < 100) {
        seenCompile.add(line);
        const [, file = '', at, message = ''] = compileError;
        compile.add({ file: relativizePath(file), line: toLineNumber(at), message });
        const block = compile.startBlock();
        pushCapped(block, `[ERROR] ${line.replace(file, relativizePath(file))}`);
        compileOpen = block !== null;
      }
      if (line.startsWith('Failed to execute goal ')) goal = line;
    },
    finish(): ParseResult | null {
      if (!goal && tests.count === 0 && compile.count === 0) return null;
      const kind = classify(compile.count, tests.count + results.length, goal);
      const failures = kind === 'compile-error' ? compile.failures : mergeResults(results, tests.failures);
      const blocks = kind === 'compile-error' ? compile.blocks : tests.blocks;
      return {
        tool: 'maven',
        kind,
        failures: failures.length > 0 ? failures : [{ message: goal ?? 'Maven build failed' }],
        failureCount: Math.max(kind === 'compile-error' ? compile.count : tests.count, results.length, 1),
        blocks: blocks.length > 0 ? blocks : goal ? [[`[ERROR] ${goal}`]] : [],
        summary,
        confidence: kind === 'unknown' ? 0.5 : 0.9,
      };
    },
  };
}

function classify(compileErrors: number, testFailures: number, goal: string | undefined): DiagnosisKind {
  if (compileErrors > 0) return 'compile-error';
  if (testFailures > 0) return 'test-failure';
  return goal && DEPENDENCY_PROBLEM.test(goal) ? 'dependency-install' : 'unknown';
}

// The Results section has the tidiest one-line messages; the detail blocks know the file.
function mergeResults(results: readonly Failure[], detailed: readonly Failure[]): Failure[] {
  if (results.length === 0) return [...detailed];
  return results.map((result) => {
    const match = detailed.find((failure) => failure.test === result.test);
    return match?.file ? { ...result, file: match.file } : result;
  });
}
