import { FailureList, pushCapped, relativizePath, toLineNumber } from './failure-list.js';
import type { LogParser, ParseResult } from './log-parser.js';

// Without a terminal tsc prints `file(line,col): error TSnnnn: …`; with --pretty `file:line:col - error …`.
const PLAIN = /^(.+?)\((\d+),\d+\): error (TS\d+): (.*)$/;
const PRETTY = /^(.+?):(\d+):\d+ - error (TS\d+): (.*)$/;
const GLOBAL = /^error (TS\d+): (.*)$/;
const FOUND = /^Found \d+ errors?\b/;

// The lines this parser reacts to while idle; a cheap first test before its own patterns.
const IDLE_LINE = /error TS|^Found \d/;

/** The TypeScript compiler (also vue-tsc and tsc -b). */
export function createTscParser(): LogParser {
  const list = new FailureList();
  let block: string[] | null = null;
  let open = false; // the indented lines after an error continue its message chain
  let summary: string | undefined;

  return {
    tool: 'tsc',
    get capturing() {
      return open;
    },
    feed(line) {
      if (!this.capturing && !IDLE_LINE.test(line)) return;
      const match = PLAIN.exec(line) ?? PRETTY.exec(line);
      if (match) {
        const [, file = '', at, code = '', message = ''] = match;
        list.add({ file: relativizePath(file), line: toLineNumber(at), message: `${code}: ${message}` });
        block = block ?? list.startBlock();
        pushCapped(block, line.replace(file, relativizePath(file)));
        open = true;
        return;
      }
      const global = GLOBAL.exec(line);
      if (global) {
        list.add({ message: `${global[1] ?? ''}: ${global[2] ?? ''}` });
        block = block ?? list.startBlock();
        pushCapped(block, line);
        return;
      }
      if (FOUND.test(line)) summary = line;
      if (open && /^ {2}\S/.test(line) && (block?.length ?? 0) < 30) pushCapped(block, line);
      else open = false;
    },
    finish(): ParseResult | null {
      return list.toResult('tsc', 'compile-error', summary);
    },
  };
}
