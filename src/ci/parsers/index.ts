import { createCargoTestParser } from './cargo-test.js';
import { createDockerBuildParser } from './docker-build.js';
import { createEslintParser } from './eslint.js';
import { createGithubAnnotationsParser } from './github-annotations.js';
import { createGoTestParser } from './go-test.js';
import { createGradleParser } from './gradle.js';
import { createJestParser } from './jest.js';
import type { LogParser } from './log-parser.js';
import { createMavenParser } from './maven.js';
import { createMochaParser } from './mocha.js';
import { createNodeTestParser } from './node-test.js';
import { createPackageInstallParser } from './package-install.js';
import { createPytestParser } from './pytest.js';
import { createPythonTracebackParser } from './python-traceback.js';
import { createTscParser } from './tsc.js';
import { createVitestParser } from './vitest.js';

export type { DiagnosisKind, Failure, LogParser, ParseResult } from './log-parser.js';
export { createGenericParser } from './generic.js';

/** One parser per tool, fresh for each step. The generic fallback is separate: it sees every line. */
export const TOOL_PARSERS: readonly (() => LogParser)[] = [
  createVitestParser,
  createJestParser,
  createMochaParser,
  createNodeTestParser,
  createPytestParser,
  createPythonTracebackParser,
  createGoTestParser,
  createCargoTestParser,
  createMavenParser,
  createGradleParser,
  createTscParser,
  createEslintParser,
  createPackageInstallParser,
  createDockerBuildParser,
  createGithubAnnotationsParser,
];

export function createToolParsers(): LogParser[] {
  return TOOL_PARSERS.map((create) => create());
}
