import { FailureList, isUserFrame, pickLocation, pushCapped, relativizePath, toLineNumber } from './failure-list.js';
import type { LogParser, ParseResult } from './log-parser.js';

const TAP_SUBTEST = /^(\s*)# Subtest: (.+)$/;
const TAP_NOT_OK = /^(\s*)not ok \d+ - (.+?)(?: # .*)?$/;
const SPEC_FAILED = /^(\s*)✖ (.+?) \([\d.]+m?s\)$/;
const SPEC_TEST_AT = /^test at (.+?):(\d+):\d+$/;
const FRAME = /(?:file:\/\/)?((?:\/|\w)[^\s():]*\.[cm]?[jt]sx?):(\d+):(\d+)\)?$/;
const SUMMARY = /^[#ℹ] fail (\d+)$/;
const YAML_KEY = /^(\s*)([A-Za-z_]+):(?: (.*))?$/;

interface Pending {
  test: string;
  file?: string;
  line?: number;
  body: string[];
}

// The lines this parser reacts to while idle; a cheap first test before its own patterns.
const IDLE_LINE = /^(?:\s*(?:# Subtest: |not ok |✖ )|[#ℹ] fail |test at )/;

/** node:test, both reporters: TAP (`not ok` + YAML, Node 20 in CI) and spec (`✖`, Node 22+). */
export function createNodeTestParser(): LogParser {
  const list = new FailureList();
  const suites: string[] = [];
  let pending: Pending | null = null;
  let inSpecSummary = false;
  let summary: string | undefined;

  const closeBlock = (): void => {
    const done = pending;
    pending = null;
    if (!done || done.body.length === 0) return;
    const report = done.body.some((line) => line.trim() === '---')
      ? readTapReport(done.body)
      : readSpecReport(done.body);
    // A suite only reports that its subtests failed; the subtests carry the detail.
    if (report.suite || report.message.length === 0) return;
    const testFile = relativizePath(done.file ?? report.location?.[1] ?? '') || undefined;
    const userFrames = report.frames.filter(isUserFrame);
    const located = userFrames
      .map((line) => FRAME.exec(line))
      .filter((match) => match !== null)
      .map((match) => ({ file: relativizePath(match[1] ?? ''), line: toLineNumber(match[2]) }));
    const location = pickLocation(located, testFile);
    list.add({
      test: done.test,
      ...location,
      line: location.line ?? done.line ?? toLineNumber(report.location?.[2]),
      message: report.message.find((line) => line.trim().length > 0)?.trim() ?? 'failed',
    });
    const block = list.startBlock();
    pushCapped(block, `✖ ${done.test}`);
    report.message.slice(0, 12).forEach((line) => pushCapped(block, line));
    if (userFrames[0]) pushCapped(block, userFrames[0]);
  };

  const feedSpec = (line: string): boolean => {
    const testAt = inSpecSummary ? SPEC_TEST_AT.exec(line) : null;
    if (testAt) {
      closeBlock();
      pending = { test: '', file: testAt[1], line: toLineNumber(testAt[2]), body: [] };
      return true;
    }
    const failed = SPEC_FAILED.exec(line);
    if (!failed) return false;
    if (pending?.test === '') {
      pending.test = failed[2] ?? '';
    } else {
      closeBlock();
      pending = { test: failed[2] ?? '', body: [] };
    }
    return true;
  };

  const feedTap = (line: string): boolean => {
    const subtest = TAP_SUBTEST.exec(line);
    if (subtest) {
      closeBlock();
      const depth = Math.floor((subtest[1] ?? '').length / 4);
      suites.length = depth;
      suites[depth] = subtest[2] ?? '';
      return true;
    }
    const notOk = TAP_NOT_OK.exec(line);
    if (!notOk) return false;
    closeBlock();
    const depth = Math.floor((notOk[1] ?? '').length / 4);
    pending = { test: [...suites.slice(0, depth), notOk[2] ?? ''].join(' > '), body: [] };
    return true;
  };

  return {
    tool: 'node:test',
    get capturing() {
      return pending !== null || inSpecSummary;
    },
    feed(line) {
      if (!this.capturing && !IDLE_LINE.test(line)) return;
      const total = SUMMARY.exec(line);
      if (total) {
        closeBlock();
        summary = line.replace(/^[#ℹ] /, '');
        return;
      }
      if (line.startsWith('✖ failing tests:')) {
        closeBlock();
        // The spec reporter repeats every failure here with its location: start over from it.
        list.failures.length = 0;
        list.blocks.length = 0;
        list.count = 0;
        inSpecSummary = true;
        return;
      }
      if (feedTap(line) || feedSpec(line)) return;
      // The spec summary is a list of `test at …` blocks; any other unindented line ends it.
      if (inSpecSummary && line.length > 0 && !line.startsWith(' ')) {
        closeBlock();
        inSpecSummary = false;
        return;
      }
      if (!pending) return;
      if (line.trim() === '...' || (line.length > 0 && !line.startsWith(' ') && !inSpecSummary)) closeBlock();
      else if (pending.body.length < 80) pending.body.push(line);
    },
    finish(): ParseResult | null {
      closeBlock();
      return list.toResult('node:test', 'test-failure', summary);
    },
  };
}

interface Report {
  message: string[];
  frames: string[];
  location?: RegExpExecArray;
  suite: boolean;
}

/** The YAML block under `not ok`: the `error` value and the `stack` lines, nothing else. */
function readTapReport(body: readonly string[]): Report {
  const report: Report = { message: [], frames: [], suite: false };
  let key = '';
  let keyIndent = -1;
  for (const line of body) {
    const pair = YAML_KEY.exec(line);
    const indent = line.length - line.trimStart().length;
    if (pair && (keyIndent === -1 || indent <= keyIndent)) {
      key = pair[2] ?? '';
      keyIndent = indent;
      const value = pair[3] ?? '';
      if (key === 'error' && value !== '|-') report.message.push(`  ${value.replace(/^'(.*)'$/, '$1')}`);
      if (key === 'failureType') report.suite = value.includes('subtestsFailed');
      if (key === 'location') report.location = FRAME.exec(value.replace(/'/g, '')) ?? undefined;
    } else if (indent > keyIndent && key === 'error') {
      report.message.push(line);
    } else if (indent > keyIndent && key === 'stack') {
      report.frames.push(line);
    }
  }
  return report;
}

/** The spec reporter: message and diff, then `at …` frames, then the error's properties. */
function readSpecReport(body: readonly string[]): Report {
  const firstFrame = body.findIndex((line) => /^\s+at /.test(line));
  const message = firstFrame === -1 ? body : body.slice(0, firstFrame);
  const frames = firstFrame === -1 ? [] : body.slice(firstFrame).filter((line) => /^\s+at /.test(line));
  return { message: message.filter((line) => line.trim().length > 0), frames, suite: false };
}
