import { FailureList, isUserFrame, pushCapped, relativizePath, toLineNumber } from './failure-list.js';
import { selectAssertionLines } from './code-frame.js';
import type { Failure, LogParser, ParseResult } from './log-parser.js';

const SECTION_BANNER = /^⎯+ (?:Failed Tests|Failed Suites|Unhandled Errors?) \d*\s*⎯+$/;
const BLOCK_SEPARATOR = /^⎯+(?:\[\d+\/\d+\])?⎯*$/;
const FAIL_HEADER = /^ FAIL {2}(\S+)(?: > (.*?))?(?: \[ .* \])?$/;
const FRAME = /❯ (?:\S+ )?(\S+?):(\d+):\d+$/;
const LISTED_FAILURE = /^\s+× (.+?)(?: \d+ms)?$/;
const FILE_RESULT = /^ [❯✓×] (\S+) \(\d+ tests?/;

// The lines this parser reacts to while idle; a cheap first test before its own patterns.
const IDLE_LINE = /^(?:⎯| Test Files | {6}Tests | [❯✓×] | {3,}× )/;

/** Vitest's default reporter: the "Failed Tests" section, with the × list as a fallback. */
export function createVitestParser(): LogParser {
  const list = new FailureList();
  const listed: Failure[] = [];
  let inSection = false;
  let sawVitest = false;
  let header: { file: string; test?: string; line: string } | null = null;
  let body: string[] = [];
  let currentFile = '';
  let summary: string | undefined;

  const closeBlock = (): void => {
    if (!header) return;
    const frames = body.filter((line) => FRAME.test(line) && isUserFrame(line));
    const inTestFile = frames.find((line) => line.includes(header?.file ?? '\0')) ?? frames[0];
    const at = inTestFile ? FRAME.exec(inTestFile) : null;
    const message = body.find((line) => line.trim().length > 0)?.trim() ?? 'failed';
    list.add({
      test: header.test,
      file: relativizePath(at?.[1] ?? header.file),
      line: toLineNumber(at?.[2]),
      message,
    });
    const block = list.startBlock();
    pushCapped(block, header.line);
    for (const line of selectAssertionLines(body)) pushCapped(block, line);
    for (const frame of frames.slice(0, 2)) pushCapped(block, frame);
    header = null;
    body = [];
  };

  return {
    tool: 'vitest',
    get capturing() {
      return inSection;
    },
    feed(line) {
      if (!this.capturing && !IDLE_LINE.test(line)) return;
      if (SECTION_BANNER.test(line)) {
        closeBlock();
        inSection = true;
        sawVitest = true;
        return;
      }
      if (line.startsWith(' Test Files ') || line.startsWith('      Tests ')) {
        closeBlock();
        inSection = false;
        if (line.startsWith('      Tests ')) summary = line.trim();
        return;
      }
      if (inSection) {
        const fail = FAIL_HEADER.exec(line);
        if (fail) {
          closeBlock();
          header = { file: fail[1] ?? '', test: fail[2], line: line.trim() };
        } else if (BLOCK_SEPARATOR.test(line)) {
          closeBlock();
        } else if (header && body.length < 80) {
          body.push(line);
        }
        return;
      }
      const file = FILE_RESULT.exec(line);
      if (file) {
        currentFile = file[1] ?? '';
        sawVitest = true;
        return;
      }
      const failed = LISTED_FAILURE.exec(line);
      if (failed && currentFile && listed.length < 20) {
        listed.push({ test: failed[1], file: currentFile, message: 'failed' });
      }
    },
    finish(): ParseResult | null {
      closeBlock();
      const failures = list.failures.length > 0 ? list.failures : listed;
      if (!sawVitest || failures.length === 0) return null;
      return {
        tool: 'vitest',
        kind: 'test-failure',
        failures,
        failureCount: Math.max(list.count, listed.length),
        blocks: list.blocks,
        summary,
        confidence: list.failures.length > 0 ? 0.95 : 0.6,
      };
    },
  };
}
