import { FailureList, pushCapped, relativizePath, toLineNumber } from './failure-list.js';
import type { Failure, LogParser, ParseResult } from './log-parser.js';

const TEST_FAILED = /^test (\S+) \.\.\. FAILED$/;
const OUTPUT_HEADER = /^---- (\S+) std(?:out|err) ----$/;
// Rust ≥1.73 puts the message on the next line; recent versions add the thread id: 'name' (12345).
const PANIC = /^thread '([^']*)'(?: \(\d+\))? panicked at (?:'(.*)', )?([^\s:]+):(\d+):\d+:?$/;
const COMPILE_ERROR = /^error(?:\[(E\d+)\])?: (.+)$/;
const COMPILE_LOCATION = /^\s*--> ([^\s:]+):(\d+):\d+$/;
// `error: ` alone is printed by many tools (buildx, git, npm): rustc's errors come with one of these.
const RUST_CONTEXT = /^(?:error\[E\d+\]|error: could not compile|\s*--> [^\s:]+\.rs:\d+)/;
const RESULT = /^test result: FAILED\./;

// The lines this parser reacts to while idle; a cheap first test before its own patterns.
const IDLE_LINE = /^(?:test |---- |error)/;

/** `cargo test` (libtest): per-test `---- name stdout ----` panics, and rustc compile errors. */
export function createCargoTestParser(): LogParser {
  const list = new FailureList();
  const compile = new FailureList();
  const listed: Failure[] = [];
  let current: { failure: Failure; block: string[] | null; messageLines: number } | null = null;
  let compileBlock: string[] | null = null;
  let summary: string | undefined;
  let sawRust = false;

  return {
    tool: 'cargo test',
    get capturing() {
      return current !== null || compileBlock !== null;
    },
    feed(line) {
      if (!this.capturing && !IDLE_LINE.test(line)) return;
      if (!sawRust && RUST_CONTEXT.test(line)) sawRust = true;
      const failed = TEST_FAILED.exec(line);
      if (failed) {
        if (listed.length < 20) listed.push({ test: failed[1], message: 'failed' });
        return;
      }
      const header = OUTPUT_HEADER.exec(line);
      if (header) {
        const failure: Failure = { test: header[1], message: 'panicked' };
        list.add(failure);
        current = { failure, block: list.startBlock(), messageLines: 0 };
        pushCapped(current.block, line);
        return;
      }
      if (RESULT.test(line)) {
        summary = line;
        current = null;
        return;
      }
      if (current) {
        const panic = PANIC.exec(line);
        if (panic) {
          // A test may panic twice (e.g. inside catch_unwind): the first panic names the cause.
          if (current.failure.file === undefined) {
            current.failure.file = relativizePath(panic[3] ?? '');
            current.failure.line = toLineNumber(panic[4]);
            if (panic[2]) current.failure.message = panic[2];
          }
          current.messageLines = 0;
          pushCapped(current.block, line);
        } else if (line === 'failures:') {
          current = null;
        } else if (/^(?:note: |stack backtrace:|\s+\d+: |\s+at )/.test(line) || line.length === 0) {
          current.messageLines = 99;
        } else if (current.messageLines < 6) {
          if (current.messageLines === 0 && current.failure.message === 'panicked')
            current.failure.message = line.trim();
          current.messageLines += 1;
          pushCapped(current.block, line);
        }
        return;
      }
      const error = COMPILE_ERROR.exec(line);
      if (error && !/^(?:test failed|could not compile|aborting due to|\d+ previous errors?)/.test(error[2] ?? '')) {
        compile.add({ message: error[1] ? `${error[1]}: ${error[2] ?? ''}` : (error[2] ?? '') });
        compileBlock = compile.startBlock();
        pushCapped(compileBlock, line);
        return;
      }
      if (compileBlock) {
        const location = COMPILE_LOCATION.exec(line);
        const failure = compile.failures[compile.failures.length - 1];
        if (location && failure && failure.file === undefined) {
          failure.file = relativizePath(location[1] ?? '');
          failure.line = toLineNumber(location[2]);
        }
        if (line.length === 0 || compileBlock.length >= 10) compileBlock = null;
        else pushCapped(compileBlock, line);
      }
    },
    finish(): ParseResult | null {
      if (list.count > 0 || listed.length > 0) {
        return {
          tool: 'cargo test',
          kind: 'test-failure',
          failures: list.count > 0 ? list.failures : listed,
          failureCount: Math.max(list.count, listed.length),
          blocks: list.blocks,
          summary,
          confidence: 0.9,
        };
      }
      if (compile.count === 0 || !sawRust) return null;
      return {
        tool: 'cargo',
        kind: 'compile-error',
        failures: compile.failures,
        failureCount: compile.count,
        blocks: compile.blocks,
        confidence: 0.85,
      };
    },
  };
}
