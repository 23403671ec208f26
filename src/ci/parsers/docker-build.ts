import { FailureList, pushCapped, toLineNumber } from './failure-list.js';
import type { LogParser, ParseResult } from './log-parser.js';

const STEP_ERROR = /^#\d+ ERROR: (.*)$/;
const CONTEXT_TITLE = /^ > (\[.*?\] )?(RUN .*?):?$/;
const DOCKERFILE_LOCATION = /^(\S*Dockerfile\S*):(\d+)$/;
const POINTED_LINE = /^\s*\d+ \| >>> /;
// Older buildx prints `error: failed to solve:` in lower case.
const SOLVE_FAILED = /^(?:ERROR: failed to solve: |ERROR: failed to build: |(?:error: )?failed to solve: )(.*)$/;
const LEGACY_FAILED = /^The command '(.+)' returned a non-zero code: (\d+)$/;
const INSTALL_COMMAND =
  /\b(?:npm (?:ci|install|i)\b|yarn(?: install)?\b|pnpm (?:install|i)\b|pip3? install|poetry install|apt-get (?:install|update)|apk add|go mod download|bundle install|composer install|cargo fetch)/;

// The lines this parser reacts to while idle; a cheap first test before its own patterns.
const IDLE_LINE = /^(?:-{6}$|#\d+ ERROR|ERROR: |(?:error: )?failed to solve|The command '|\S*Dockerfile\S*:\d+$)/;

/**
 * Docker builds (BuildKit plain progress, as docker/build-push-action prints it, and the legacy
 * builder): the failing instruction, its last output lines, the Dockerfile line, and the final error.
 */
export function createDockerBuildParser(): LogParser {
  const list = new FailureList();
  let context: string[] | null = null; // between the two `------` rulers BuildKit prints
  let contextLines: string[] = [];
  let instruction: string | undefined;
  let dockerfile: { file: string; line: number | undefined } | undefined;
  let pointed: string | undefined;
  let stepError: string | undefined;
  let solveError: string | undefined;
  let inFrame = false;

  return {
    tool: 'docker',
    get capturing() {
      return context !== null || inFrame;
    },
    feed(line) {
      if (!this.capturing && !IDLE_LINE.test(line)) return;
      if (line === '------') {
        if (context) {
          contextLines = context;
          context = null;
        } else if (contextLines.length === 0) {
          context = [];
        }
        return;
      }
      if (context) {
        const title = CONTEXT_TITLE.exec(line);
        if (title) instruction = title[2];
        else if (context.length < 12) context.push(line.replace(/^\d+\.\d+ /, ''));
        return;
      }
      const location = DOCKERFILE_LOCATION.exec(line);
      if (location) {
        dockerfile = { file: location[1] ?? 'Dockerfile', line: toLineNumber(location[2]) };
        inFrame = true;
        return;
      }
      if (inFrame) {
        if (POINTED_LINE.test(line)) pointed = line;
        if (/^-{20}$/.test(line) && pointed) inFrame = false;
        return;
      }
      const step = STEP_ERROR.exec(line);
      if (step) {
        stepError ??= step[1];
        return;
      }
      const legacy = LEGACY_FAILED.exec(line);
      const solved = SOLVE_FAILED.exec(line);
      if (legacy || solved) {
        solveError ??= line;
        instruction ??= legacy ? `RUN ${(legacy[1] ?? '').replace(/^\/bin\/sh -c /, '')}` : undefined;
      }
    },
    finish(): ParseResult | null {
      if (!solveError && !stepError) return null;
      list.add({
        file: dockerfile?.file ?? 'Dockerfile',
        line: dockerfile?.line,
        message: stepError ?? solveError ?? 'docker build failed',
      });
      const block = list.startBlock();
      if (instruction) pushCapped(block, `> ${instruction}:`);
      for (const line of contextLines.filter((text) => text.trim().length > 0)) pushCapped(block, line);
      if (dockerfile) pushCapped(block, `${dockerfile.file}:${dockerfile.line ?? ''}`);
      if (pointed) pushCapped(block, pointed);
      if (solveError) pushCapped(block, solveError);
      const installing = INSTALL_COMMAND.test(instruction ?? stepError ?? '');
      return {
        tool: 'docker',
        kind: installing ? 'dependency-install' : 'compile-error',
        failures: list.failures,
        failureCount: 1,
        blocks: list.blocks,
        confidence: 0.85,
      };
    },
  };
}
