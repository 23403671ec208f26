import { FailureList, pushCapped, relativizePath, toLineNumber } from './failure-list.js';
import type { DiagnosisKind, Failure, LogParser, ParseResult } from './log-parser.js';

const TEST_FAILED = /^(\S.*?) > (.+?) FAILED$/;
const TEST_CAUSE = /^\s{4}(\S.*?)(?: at ([\w$]+\.(?:java|kt|groovy|scala)):(\d+))?$/;
const TASK_FAILED = /^> Task (\S+) FAILED$/;
// `exceptionFormat = 'full'` prints the stack: the test class's own frame locates the failure.
const TEST_FRAME = /^\s+at (?:\S+\/\/)?([\w.$]+)\.[\w$<>]+\(([\w$]+\.(?:java|kt|groovy|scala)):(\d+)\)$/;
const KOTLIN_ERROR = /^e: (?:file:\/\/)?(\/?\S+\.kts?):(\d+):\d+ (.+)$/;
const JAVAC_ERROR = /^(\/\S+\.(?:java|groovy|scala)):(\d+): error: (.+)$/;

// The lines this parser reacts to while idle; a cheap first test before its own patterns.
const IDLE_LINE = /^(?:> Task |e: |\/|\* What went wrong|BUILD FAILED|FAILURE: |\d+ tests? completed)| FAILED$/;

/** Gradle: failed test lines, Kotlin/javac compile errors, and the "What went wrong" section. */
export function createGradleParser(): LogParser {
  const tests = new FailureList();
  const compile = new FailureList();
  let test: { failure: Failure; block: string[] | null } | null = null;
  let wentWrong: string[] | null = null;
  const wrong: string[] = [];
  let failedTask: string | undefined;
  let sawGradle = false;
  let summary: string | undefined;

  return {
    tool: 'gradle',
    get capturing() {
      return test !== null || wentWrong !== null;
    },
    feed(line) {
      if (!this.capturing && !IDLE_LINE.test(line)) return;
      if (wentWrong) {
        if (line.trim().length === 0 || line.startsWith('* ')) wentWrong = null;
        else if (wentWrong.length < 8) wentWrong.push(line);
        return;
      }
      if (test) {
        const cause = TEST_CAUSE.exec(line);
        if (cause && test.failure.message === 'failed') {
          test.failure.message = cause[1] ?? 'failed';
          if (cause[2]) test.failure.file = cause[2];
          test.failure.line = toLineNumber(cause[3]);
          pushCapped(test.block, line);
          return;
        }
        const frame = TEST_FRAME.exec(line);
        const testClass = (test.failure.test ?? '').split(' > ')[0]?.split('.').pop();
        if (frame && test.failure.file === undefined && frame[1]?.split('.').pop() === testClass) {
          test.failure.file = frame[2];
          test.failure.line = toLineNumber(frame[3]);
          pushCapped(test.block, line);
        } else if (line.startsWith('    ') && !frame && (test.block?.length ?? 0) < 6) pushCapped(test.block, line);
        if (!line.startsWith('    ')) test = null;
        if (test) return;
      }
      const failed = TEST_FAILED.exec(line);
      if (failed) {
        const failure: Failure = { test: `${failed[1] ?? ''} > ${failed[2] ?? ''}`, message: 'failed' };
        tests.add(failure);
        test = { failure, block: tests.startBlock() };
        pushCapped(test.block, line);
        return;
      }
      const task = TASK_FAILED.exec(line);
      if (task) {
        failedTask = task[1];
        sawGradle = true;
        return;
      }
      const compileError = KOTLIN_ERROR.exec(line) ?? JAVAC_ERROR.exec(line);
      if (compileError) {
        const [, file = '', at, message = ''] = compileError;
        compile.add({ file: relativizePath(file), line: toLineNumber(at), message });
        pushCapped(
          compile.blocks[0] ?? compile.startBlock(),
          line.replace(/(?:file:\/\/)?\/\S+?(?=:\d)/, relativizePath(file)),
        );
        return;
      }
      if (line === '* What went wrong:') {
        sawGradle = true;
        wentWrong = wrong;
        return;
      }
      if (/^BUILD FAILED in /.test(line) || line.startsWith('FAILURE: Build failed')) sawGradle = true;
      if (/^\d+ tests completed, \d+ failed/.test(line)) summary = line;
    },
    finish(): ParseResult | null {
      if (!sawGradle) return null;
      const kind = classify(compile.count, tests.count, failedTask, wrong.join('\n'));
      const list = kind === 'compile-error' ? compile : tests;
      const reason = wrong.slice(0, 3).map((line) => line.trim());
      return {
        tool: 'gradle',
        kind,
        failures: list.count > 0 ? list.failures : [{ message: reason.join(' ') || `Task ${failedTask ?? ''} failed` }],
        failureCount: Math.max(list.count, 1),
        blocks: [...list.blocks, ...(wrong.length > 0 ? [['* What went wrong:', ...wrong.slice(0, 4)]] : [])],
        summary,
        confidence: kind === 'unknown' ? 0.5 : 0.9,
      };
    },
  };
}

function classify(compileErrors: number, testFailures: number, task: string | undefined, wrong: string): DiagnosisKind {
  if (compileErrors > 0 || /:compile\w*$/.test(task ?? '') || /Compilation (?:failed|error)/.test(wrong))
    return 'compile-error';
  if (testFailures > 0 || /There were failing tests/.test(wrong)) return 'test-failure';
  if (/Could not resolve|Could not find .*:.*:/.test(wrong)) return 'dependency-install';
  if (/:(?:lint\w*|ktlint\w*|detekt|checkstyle\w*|spotless\w*)$/.test(task ?? '')) return 'lint';
  return 'unknown';
}
