import { selectAssertionLines } from './code-frame.js';
import { FailureList, isUserFrame, pushCapped, relativizePath, toLineNumber } from './failure-list.js';
import type { LogParser, ParseResult } from './log-parser.js';

const SUITE_RESULT = /^(FAIL|PASS) (\S+)/;
const TEST_HEADER = /^ {2}● (.+)$/;
const FRAME = /^\s+at (?:.*\()?(.+?):(\d+):\d+\)?$/;

// The lines this parser reacts to while idle; a cheap first test before its own patterns.
const IDLE_LINE = /^(?:FAIL |PASS |Summary of all failing|Tests:|Test Suites:)/;

/** Jest's default reporter: `FAIL file`, then one `● Suite › test` block per failure. */
export function createJestParser(): LogParser {
  const list = new FailureList();
  let file = '';
  let inFailedFile = false;
  let test: string | null = null;
  let body: string[] = [];
  let summary: string | undefined;
  let repeating = false; // jest repeats every failure under "Summary of all failing tests"

  const closeBlock = (): void => {
    if (test === null) return;
    const frame = body.find((line) => FRAME.test(line) && isUserFrame(line));
    const at = frame ? FRAME.exec(frame) : null;
    const selected = selectAssertionLines(body);
    list.add({
      test: test === 'Test suite failed to run' ? undefined : test,
      file: relativizePath(at?.[1] ?? file),
      line: toLineNumber(at?.[2]),
      message: selected.find((line) => line.trim().length > 0)?.trim() ?? 'failed',
    });
    const block = list.startBlock();
    pushCapped(block, `● ${test}`);
    for (const line of selected) pushCapped(block, line);
    if (frame) pushCapped(block, frame);
    test = null;
    body = [];
  };

  return {
    tool: 'jest',
    get capturing() {
      return inFailedFile && !repeating;
    },
    feed(line) {
      if (!this.capturing && !IDLE_LINE.test(line)) return;
      const suite = SUITE_RESULT.exec(line);
      if (suite) {
        closeBlock();
        inFailedFile = suite[1] === 'FAIL';
        file = suite[2] ?? '';
        return;
      }
      if (line.startsWith('Summary of all failing tests')) {
        closeBlock();
        repeating = true;
        return;
      }
      if (line.startsWith('Tests:') || line.startsWith('Test Suites:')) {
        closeBlock();
        inFailedFile = false;
        if (line.startsWith('Tests:')) summary = line;
        return;
      }
      if (!inFailedFile || repeating) return;
      const header = TEST_HEADER.exec(line);
      if (header) {
        closeBlock();
        test = (header[1] ?? '').replaceAll(' › ', ' > ');
      } else if (test !== null && body.length < 80) {
        body.push(line);
      }
    },
    finish(): ParseResult | null {
      closeBlock();
      return list.toResult('jest', 'test-failure', summary);
    },
  };
}
