import { describe, expect, it } from 'vitest';
import { CiConfigSchema, isWorkflowIgnored } from '../../src/ci/config.js';
import { RepoConfigError } from '../../src/repo-config/repo-config-error.js';
import { parseConfigFile } from '../../src/repo-config/parse-config-file.js';
import { validateRepoConfig } from '../../src/repo-config/validate-config.js';

function validate(text: string) {
  const file = parseConfigFile('.github/keel.yml', text);
  return validateRepoConfig(file.data, [file]);
}

describe('the ci section of .github/keel.yml', () => {
  it('defaults to a comment, a tracking issue and no ignored workflow', () => {
    expect(validate('prChecks: {}\n').ci).toEqual({ comment: true, trackDefaultBranch: true, ignoreWorkflows: [] });
  });

  it('reads each key', () => {
    expect(validate('ci:\n  comment: false\n  trackDefaultBranch: false\n  ignoreWorkflows: [Nightly]\n').ci).toEqual({
      comment: false,
      trackDefaultBranch: false,
      ignoreWorkflows: ['Nightly'],
    });
  });

  it('names a misspelt key and its line', () => {
    expect(() => validate('ci:\n  comment: true\n  trackDefaultBranches: false\n')).toThrow(
      new RepoConfigError([
        {
          file: '.github/keel.yml',
          line: 3,
          message: 'ci.trackDefaultBranches is not a known key; did you mean trackDefaultBranch?',
        },
      ]),
    );
  });

  it('names a value of the wrong type', () => {
    expect(() => validate('ci:\n  ignoreWorkflows: Nightly\n')).toThrow('ci.ignoreWorkflows must be a list (line 2)');
  });
});

describe('isWorkflowIgnored', () => {
  const config = (ignoreWorkflows: string[]) => CiConfigSchema.parse({ ignoreWorkflows });

  it('matches a name exactly, ignoring case', () => {
    expect(isWorkflowIgnored(config(['nightly']), { name: 'Nightly' })).toBe(true);
    expect(isWorkflowIgnored(config(['Nightly']), { name: 'Nightly build' })).toBe(false);
  });

  it('matches globs: * for any characters, ? for one', () => {
    expect(isWorkflowIgnored(config(['Deploy *']), { name: 'Deploy / production' })).toBe(true);
    expect(isWorkflowIgnored(config(['v?']), { name: 'v1' })).toBe(true);
    expect(isWorkflowIgnored(config(['v?']), { name: 'v10' })).toBe(false);
  });

  it('matches the workflow file by path or by file name', () => {
    const workflow = { name: 'CI', path: '.github/workflows/experimental.yml' };
    expect(isWorkflowIgnored(config(['.github/workflows/experimental.yml']), workflow)).toBe(true);
    expect(isWorkflowIgnored(config(['experimental.yml']), workflow)).toBe(true);
    expect(isWorkflowIgnored(config(['*.yaml']), workflow)).toBe(false);
  });

  it('treats regular expression and other glob characters literally', () => {
    expect(isWorkflowIgnored(config(['CI (nightly)']), { name: 'CI (nightly)' })).toBe(true);
    expect(isWorkflowIgnored(config(['C.']), { name: 'CI' })).toBe(false);
    expect(isWorkflowIgnored(config(['Build [linux]']), { name: 'Build [linux]' })).toBe(true);
    expect(isWorkflowIgnored(config(['Build [linux]']), { name: 'Build l' })).toBe(false);
    expect(isWorkflowIgnored(config(['{a,b}']), { name: 'a' })).toBe(false);
  });

  it('answers a pattern of many * right over a thousand long names', () => {
    const ignoring = config(['**/**/**/**/**/**/**/**/zz']);
    const names = Array.from({ length: 1000 }, (_, i) => `${'a/'.repeat(10 + (i % 30))}${i % 2 === 0 ? 'zz' : 'zy'}`);
    const answers = names.map((name) => isWorkflowIgnored(ignoring, { name }));
    expect(answers.every((answer, i) => answer === (i % 2 === 0))).toBe(true);
  });
});
