import { FailureList, pushCapped, relativizePath, toLineNumber } from './failure-list.js';
import type { LogParser, ParseResult } from './log-parser.js';

const FILE_HEADER = /^(?:\/|[A-Za-z]:\\|\.{0,2}[\w@-][\w./@-]*\/)\S*\.\w+$/;
const PROBLEM = /^\s+(\d+):\d+\s+(error|warning)\s+(.+?)(?:\s{2,}(\S+))?$/;
const TOTAL = /^✖ \d+ problems? \(\d+ errors?, \d+ warnings?\)/;

// The lines this parser reacts to while idle; a cheap first test before its own patterns.
const IDLE_LINE = /^(?:\/|\s+\d+:\d+\s+error|✖ \d+ problem)/;

/** ESLint's stylish formatter: a file path, its problems, then `✖ N problems (E errors, W warnings)`. */
export function createEslintParser(): LogParser {
  const list = new FailureList();
  let file: string | null = null;
  let fileBlockOpen = false;
  let block: string[] | null = null;
  let summary: string | undefined;

  return {
    tool: 'eslint',
    get capturing() {
      return file !== null;
    },
    feed(line) {
      if (!this.capturing && !IDLE_LINE.test(line)) return;
      if (TOTAL.test(line)) {
        summary = line;
        file = null;
        return;
      }
      // Paths are not hinted; problems are ("error"), so remember the last path-looking line.
      if (FILE_HEADER.test(line)) {
        file = relativizePath(line);
        fileBlockOpen = false;
        return;
      }
      const problem = PROBLEM.exec(line);
      if (!problem || file === null) {
        if (line.trim().length === 0) file = null;
        return;
      }
      const [, at, severity, message = '', rule] = problem;
      if (severity !== 'error') return;
      list.add({ file, line: toLineNumber(at), message: rule ? `${message} (${rule})` : message });
      block = block ?? list.startBlock();
      if (!fileBlockOpen) pushCapped(block, file);
      fileBlockOpen = true;
      pushCapped(block, line);
    },
    finish(): ParseResult | null {
      if (summary === undefined) return null;
      return list.toResult('eslint', 'lint', summary);
    },
  };
}
