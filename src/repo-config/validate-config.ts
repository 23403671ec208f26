/**
 * Validates the merged configuration against KeelConfigSchema and turns each zod issue into a
 * sentence a person can act on, naming the key, the file it came from and its line.
 */
import type { z } from 'zod';
import { findLine, type ParsedConfigFile } from './parse-config-file.js';
import { RepoConfigError, type ConfigProblem } from './repo-config-error.js';
import { KeelConfigSchema, type KeelRepoConfig } from './schema.js';
import { knownKeysAt, suggestKey } from './suggest-key.js';

type Issue = z.core.$ZodIssue;

const TYPE_NAMES: Record<string, string> = {
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  string: 'a string',
  array: 'a list',
  object: 'a mapping',
};

function describeKey(path: readonly PropertyKey[]): string {
  return path.map(String).join('.') || 'the file';
}

/** The sentence after the key: "must be a number", "is not a known key", … */
function describeIssue(issue: Issue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `must be ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
    case 'too_small':
      if (issue.origin === 'string' && Number(issue.minimum) === 1) return 'must not be empty';
      if (issue.origin === 'array') return `must list at least ${issue.minimum} item(s)`;
      return `must be ${issue.inclusive ? 'at least' : 'greater than'} ${issue.minimum}`;
    case 'too_big':
      return `must be ${issue.inclusive ? 'at most' : 'less than'} ${issue.maximum}`;
    default:
      return issue.message;
  }
}

/** The file a path is set in, highest priority first (the repository's own file before its bases). */
function locate(files: readonly ParsedConfigFile[], path: readonly PropertyKey[]): Omit<ConfigProblem, 'message'> {
  for (const file of files) {
    const line = findLine(file, path);
    if (line !== undefined) return { file: file.label, line };
  }
  // Not set anywhere (a required key): blame the nearest parent that is.
  for (let depth = path.length - 1; depth >= 0; depth -= 1) {
    for (const file of files) {
      const line = findLine(file, path.slice(0, depth));
      if (line !== undefined) return { file: file.label, line };
    }
  }
  return { file: files[0]?.label ?? '.github/keel.yml', line: undefined };
}

function toProblems(issue: Issue, files: readonly ParsedConfigFile[]): ConfigProblem[] {
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(KeelConfigSchema, issue.path);
    return issue.keys.map((key) => {
      const path = [...issue.path, key];
      const suggestion = suggestKey(key, known);
      const hint = suggestion
        ? `; did you mean ${suggestion}?`
        : known.length > 0
          ? ` (known keys: ${known.join(', ')})`
          : '';
      return { ...locate(files, path), message: `${describeKey(path)} is not a known key${hint}` };
    });
  }
  return [{ ...locate(files, issue.path), message: `${describeKey(issue.path)} ${describeIssue(issue)}` }];
}

/** Validates `merged` (the files merged in priority order); throws RepoConfigError naming every problem. */
export function validateRepoConfig(merged: unknown, files: readonly ParsedConfigFile[]): KeelRepoConfig {
  const result = KeelConfigSchema.safeParse(merged);
  if (result.success) return result.data;
  const problems = result.error.issues.flatMap((issue) => toProblems(issue, files));
  const rank = (problem: ConfigProblem) => files.findIndex((file) => file.label === problem.file);
  problems.sort((a, b) => rank(a) - rank(b) || (a.line ?? 0) - (b.line ?? 0));
  throw new RepoConfigError(problems);
}
