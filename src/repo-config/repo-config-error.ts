/** What is wrong with a repository's `.github/keel.yml`, down to the file and line. */
import { ConfigError } from '../errors.js';

export interface ConfigProblem {
  /** The file as people know it: `.github/keel.yml`, or `owner/repo:path` for another repository. */
  file: string;
  /** 1-based; undefined when the problem has no place in the file. */
  line: number | undefined;
  /** What is wrong, starting with the key: `prChecks.maxChangedLines must be a number`. */
  message: string;
}

const REMEDY =
  'Fix the line named above and push the change; Keel reads the file again on the next pull request event. ' +
  'Sections are prChecks (rules, maxChangedLines, titlePattern, ignorePaths, workflowAudits) and ci.';

function describeProblems(problems: readonly ConfigProblem[]): string {
  const files = [...new Set(problems.map((problem) => problem.file))];
  return files
    .map((file) => {
      const details = problems
        .filter((problem) => problem.file === file)
        .map((problem) => (problem.line === undefined ? problem.message : `${problem.message} (line ${problem.line})`));
      return `Invalid ${file}: ${details.join('; ')}`;
    })
    .join('. ');
}

/** A configuration file Keel cannot use. Never retried: only a new commit fixes it. */
export class RepoConfigError extends ConfigError {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[], remedy = REMEDY) {
    super(describeProblems(problems), remedy);
    this.problems = problems;
  }
}

/** A configuration error as a report keeps it (stored as JSON, shown on a details page). */
export interface ConfigErrorReport {
  message: string;
  remedy: string;
  problems: ConfigProblem[];
}

export function toConfigErrorReport(error: ConfigError): ConfigErrorReport {
  return {
    message: error.message,
    remedy: error.remedy,
    problems: error instanceof RepoConfigError ? [...error.problems] : [],
  };
}
