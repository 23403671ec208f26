import { FailureList, pushCapped, relativizePath, toLineNumber } from './failure-list.js';
import type { Failure, LogParser, ParseResult } from './log-parser.js';

const COMMAND = /^::error(?: ([^:]*))?::(.*)$/;
const RUNNER_ERROR = '##[error]';
// Lines GitHub adds itself; they say that something failed, not what.
const RUNNER_NOISE = /^Process completed with exit code \d+\.$|^The operation was canceled\.$/;

// The lines this parser reacts to while idle; a cheap first test before its own patterns.
const IDLE_LINE = /^(?:##\[error\]|::error)/;

/**
 * Error annotations: `::error file=…,line=…::message` workflow commands as tools print them, and the
 * `##[error]message` lines the runner writes (an action's failure message, a problem matcher's hit).
 */
export function createGithubAnnotationsParser(): LogParser {
  const list = new FailureList();
  let block: string[] | null = null;

  const add = (failure: Failure, line: string): void => {
    list.add(failure);
    block = block ?? list.startBlock();
    pushCapped(block, line);
  };

  return {
    tool: 'github-annotations',
    capturing: false,
    feed(line) {
      if (!this.capturing && !IDLE_LINE.test(line)) return;
      if (line.startsWith(RUNNER_ERROR)) {
        const message = line.slice(RUNNER_ERROR.length).trim();
        if (message.length > 0 && !RUNNER_NOISE.test(message)) add({ message }, message);
        return;
      }
      const command = COMMAND.exec(line);
      if (!command) return;
      const properties = parseProperties(command[1] ?? '');
      const message = unescapeData(command[2] ?? '');
      const firstLine = message.split('\n').find((text) => text.trim().length > 0) ?? '';
      add(
        {
          test: properties.get('title'),
          file: properties.has('file') ? relativizePath(properties.get('file') ?? '') : undefined,
          line: toLineNumber(properties.get('line')),
          message: firstLine,
        },
        firstLine,
      );
    },
    finish(): ParseResult | null {
      if (list.count === 0) return null;
      return {
        tool: 'github-annotations',
        kind: 'unknown',
        failures: list.failures,
        failureCount: list.count,
        blocks: list.blocks,
        confidence: 0.4,
      };
    },
  };
}

// Workflow command escaping: data escapes % \r \n; properties also escape : and ,.
function unescapeData(text: string): string {
  return text.replaceAll('%0D', '\r').replaceAll('%0A', '\n').replaceAll('%25', '%');
}

function parseProperties(text: string): Map<string, string> {
  const properties = new Map<string, string>();
  for (const pair of text.split(',')) {
    const equals = pair.indexOf('=');
    if (equals > 0) {
      properties.set(
        pair.slice(0, equals).trim(),
        unescapeData(pair.slice(equals + 1))
          .replaceAll('%3A', ':')
          .replaceAll('%2C', ','),
      );
    }
  }
  return properties;
}
