import { FailureList, pushCapped, relativizePath, toLineNumber } from './failure-list.js';
import type { Failure, LogParser, ParseResult } from './log-parser.js';

const TRACEBACK = 'Traceback (most recent call last):';
const FRAME = /^\s+File "([^"]+)", line (\d+), in (.+)$/;
const TEST_HEADER = /^(FAIL|ERROR): (\w+) \(([\w.]+)\)/;
const RAN = /^Ran \d+ tests? in /;
const RESULT = /^FAILED \((?:failures|errors)=/;
const LIBRARY_PATH = /site-packages|dist-packages|\/lib\/python\d|<frozen |hostedtoolcache|^<string>$/;
const CHAINED = /^(?:During handling of the above exception|The above exception was the direct cause)/;

// The lines this parser reacts to while idle; a cheap first test before its own patterns.
const IDLE_LINE = /^(?:Traceback \(most recent call last\):|FAIL: |ERROR: |Ran \d|FAILED \()/;

interface Frame {
  file: string;
  line: number | undefined;
  text: string;
  code?: string;
}

/**
 * Python tracebacks, from unittest (`FAIL: test (module.Class)` headers) or a plain script: the
 * exception line is the message, the deepest frame in the project's code the place.
 */
export function createPythonTracebackParser(): LogParser {
  const list = new FailureList();
  let test: string | undefined;
  let testHeader = '';
  let frames: Frame[] | null = null;
  let sawUnittest = false;
  let summary: string | undefined;

  const closeTraceback = (exception: string): void => {
    const own = (frames ?? []).filter((frame) => !LIBRARY_PATH.test(frame.file));
    // unittest: the test's own frame (the first); a script: where it raised (the deepest of its own).
    const place = test ? own[0] : own[own.length - 1];
    const failure: Failure = {
      ...(test ? { test } : {}),
      ...(place ? { file: relativizePath(place.file), line: place.line } : {}),
      message: exception.trim(),
    };
    list.add(failure);
    const block = list.startBlock();
    if (test) pushCapped(block, testHeader);
    for (const frame of own.slice(-2)) {
      pushCapped(block, frame.text);
      if (frame.code) pushCapped(block, frame.code);
    }
    pushCapped(block, exception);
    frames = null;
    test = undefined;
  };

  return {
    tool: 'python',
    get capturing() {
      return frames !== null;
    },
    feed(line) {
      if (frames === null && !IDLE_LINE.test(line)) return;
      if (frames !== null) {
        const frame = FRAME.exec(line);
        if (frame) {
          if (frames.length < 200) frames.push({ file: frame[1] ?? '', line: toLineNumber(frame[2]), text: line });
        } else if (line === TRACEBACK || CHAINED.test(line) || line.trim().length === 0) {
          // A chained traceback: the last one raised, keep reading.
        } else if (/^\s/.test(line)) {
          const last = frames[frames.length - 1];
          if (last && last.code === undefined && !/^\s*[~^]+\s*$/.test(line)) last.code = line;
        } else {
          closeTraceback(line);
        }
        return;
      }
      if (line === TRACEBACK) {
        frames = [];
        return;
      }
      const header = TEST_HEADER.exec(line);
      if (header) {
        sawUnittest = true;
        testHeader = line;
        const owner = (header[3] ?? '').split('.').filter((part) => part !== header[2]);
        test = `${owner[owner.length - 1] ?? ''}.${header[2] ?? ''}`;
        return;
      }
      if (RAN.test(line)) sawUnittest = true;
      else if (RESULT.test(line)) summary = line;
    },
    finish(): ParseResult | null {
      if (list.count === 0) return null;
      return {
        tool: sawUnittest ? 'unittest' : 'python',
        kind: sawUnittest ? 'test-failure' : 'unknown',
        failures: list.failures,
        failureCount: list.count,
        blocks: list.blocks,
        summary,
        confidence: 0.6,
      };
    },
  };
}
