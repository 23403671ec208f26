import { FailureList, pushCapped, relativizePath, toLineNumber } from './failure-list.js';
import type { Failure, LogParser, ParseResult } from './log-parser.js';

const SECTION = /^={3,} (.+?) ={3,}$/;
const BLOCK_HEADER = /^_{3,} (.+?) _{3,}$/;
const LOCATION = /^([\w./-]+\.py):(\d+): (\w*)/;
const SHORT_SUMMARY = /^(FAILED|ERROR) ([\w./-]+\.py)(?:::(\S+(?: \S+)*?))?(?: - (.*))?$/;
const RESULT_LINE = /^\d+ (?:failed|passed|error)/;

// The lines this parser reacts to while idle; a cheap first test before its own patterns.
const IDLE_LINE = /^(?:={3}|FAILED |ERROR )/;

/** pytest: blocks of the FAILURES / ERRORS sections, names and messages from the short summary. */
export function createPytestParser(): LogParser {
  const list = new FailureList();
  const summarized: Failure[] = [];
  const locations = new Map<string, { file: string; line: number | undefined }>();
  let section = '';
  let name: string | null = null;
  let body: string[] = [];
  let summary: string | undefined;
  let sawSession = false;

  const closeBlock = (): void => {
    if (name === null) return;
    const located = body.map((line) => LOCATION.exec(line)).filter((match) => match !== null);
    const first = located[0];
    if (first && locations.size < 100) {
      locations.set(name, { file: relativizePath(first[1] ?? ''), line: toLineNumber(first[2]) });
    }
    const errors = body.filter((line) => line.startsWith('E '));
    list.add({
      test: name,
      file: first ? relativizePath(first[1] ?? '') : undefined,
      line: toLineNumber(first?.[2]),
      message: errors[0]?.slice(1).trim() ?? 'failed',
    });
    const block = list.startBlock();
    pushCapped(block, `___ ${name} ___`);
    // The failing source line (`>`) right above the first E line, the E lines, where it was raised.
    const firstError = body.findIndex((line) => line.startsWith('E '));
    const pointer = body.slice(0, Math.max(firstError, 0)).findLast((line) => line.startsWith('>'));
    if (pointer) pushCapped(block, pointer);
    for (const line of errors.slice(0, 8)) pushCapped(block, line);
    const last = located[located.length - 1];
    if (first) pushCapped(block, first.input);
    if (last && last !== first) pushCapped(block, last.input);
    name = null;
    body = [];
  };

  return {
    tool: 'pytest',
    get capturing() {
      return section === 'FAILURES' || section === 'ERRORS';
    },
    feed(line) {
      if (!this.capturing && !IDLE_LINE.test(line)) return;
      const heading = SECTION.exec(line);
      if (heading) {
        closeBlock();
        const title = heading[1] ?? '';
        if (title === 'test session starts') sawSession = true;
        else if (RESULT_LINE.test(title)) summary = title;
        section = title;
        return;
      }
      if (section === 'short test summary info') {
        const short = SHORT_SUMMARY.exec(line);
        if (short && summarized.length < 20) {
          const test = short[3] ?? short[2] ?? '';
          summarized.push({ test, file: short[2], message: short[4] ?? short[1] ?? 'failed' });
        }
        return;
      }
      if (section !== 'FAILURES' && section !== 'ERRORS') return;
      const header = BLOCK_HEADER.exec(line);
      if (header) {
        closeBlock();
        name = header[1] ?? '';
      } else if (name !== null && body.length < 200) {
        body.push(line);
      }
    },
    finish(): ParseResult | null {
      closeBlock();
      if (!sawSession && summarized.length === 0) return null;
      const failures =
        summarized.length > 0 ? summarized.map((failure) => withLocation(failure, locations)) : list.failures;
      if (failures.length === 0) return null;
      return {
        tool: 'pytest',
        kind: 'test-failure',
        failures,
        failureCount: Math.max(list.count, summarized.length),
        blocks: list.blocks,
        summary,
        confidence: 0.9,
      };
    },
  };
}

// The short summary names `file::test`; the block header names just `test` (or `Class.test`).
function withLocation(failure: Failure, locations: Map<string, { file: string; line: number | undefined }>): Failure {
  const key = (failure.test ?? '').replaceAll('::', '.');
  const found = locations.get(key) ?? locations.get(key.split('.').pop() ?? '');
  return found ? { ...failure, line: found.line } : failure;
}
