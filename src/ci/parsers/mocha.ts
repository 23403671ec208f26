import { isDiffLine } from './code-frame.js';
import { FailureList, isUserFrame, pushCapped, relativizePath, toLineNumber } from './failure-list.js';
import type { LogParser, ParseResult } from './log-parser.js';

const FAILING_COUNT = /^\s+(\d+) failing$/;
const PASSING_COUNT = /^\s+\d+ passing \(/;
const BLOCK_START = /^ {2}(\d+)\) (.+)$/;
const FRAME = /^\s+at (?:.*\()?(.+?):(\d+):\d+\)?$/;

// The lines this parser reacts to while idle; a cheap first test before its own patterns.
const IDLE_LINE = /^\s+\d+ (?:passing|failing)/;

/** Mocha's spec reporter: after "N failing", numbered blocks `1) suite` / `test:` / error / stack. */
export function createMochaParser(): LogParser {
  const list = new FailureList();
  let inFailures = false;
  let sawPassingCount = false;
  let titles: string[] = [];
  let titleDone = false;
  let body: string[] = [];
  let summary: string | undefined;

  const closeBlock = (): void => {
    if (titles.length === 0) return;
    const test = titles.join(' > ');
    const frame = body.find((line) => FRAME.test(line) && isUserFrame(line));
    const at = frame ? FRAME.exec(frame) : null;
    const message = body.find((line) => line.trim().length > 0)?.trim() ?? 'failed';
    list.add({ test, file: at ? relativizePath(at[1] ?? '') : undefined, line: toLineNumber(at?.[2]), message });
    const block = list.startBlock();
    pushCapped(block, `${test}:`);
    let diffLines = 0;
    let messageLines = 0;
    for (const line of body) {
      const trimmed = line.trim();
      if (trimmed.length === 0 || /^\s+at /.test(line)) continue;
      if (trimmed === '+ expected - actual' && diffLines > 0) break; // mocha repeats the diff its own way
      if (isDiffLine(trimmed)) {
        if (diffLines++ < 8) pushCapped(block, line);
      } else if (diffLines === 0 && messageLines++ < 3) {
        pushCapped(block, line);
      }
    }
    if (frame) pushCapped(block, frame);
    titles = [];
    body = [];
  };

  return {
    tool: 'mocha',
    get capturing() {
      return inFailures;
    },
    feed(line) {
      if (!this.capturing && !IDLE_LINE.test(line)) return;
      if (PASSING_COUNT.test(line)) {
        sawPassingCount = true;
        return;
      }
      const failing = FAILING_COUNT.exec(line);
      if (failing && sawPassingCount) {
        inFailures = true;
        summary = `${failing[1] ?? ''} failing`;
        return;
      }
      if (!inFailures) return;
      const start = BLOCK_START.exec(line);
      if (start) {
        closeBlock();
        const title = (start[2] ?? '').trim();
        titleDone = title.endsWith(':');
        titles = [titleDone ? title.slice(0, -1) : title];
        return;
      }
      if (titles.length === 0) {
        // Between blocks only blank lines may come; anything else is output after mocha's report.
        if (line.trim().length > 0) inFailures = false;
        return;
      }
      if (!titleDone) {
        const trimmed = line.trim();
        titles.push(trimmed.endsWith(':') ? trimmed.slice(0, -1) : trimmed);
        titleDone = trimmed.endsWith(':');
        return;
      }
      // A block ends with the blank line after its stack trace.
      if (line.trim().length === 0 && body.some((seen) => FRAME.test(seen))) closeBlock();
      else if (body.length < 80) body.push(line);
    },
    finish(): ParseResult | null {
      closeBlock();
      return list.toResult('mocha', 'test-failure', summary);
    },
  };
}
