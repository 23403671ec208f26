import { describe, expect, it } from 'vitest';
import { createPathMatcher } from '../../src/pr-checks/glob.js';

const matches = (glob: string, path: string): boolean => createPathMatcher([glob])(path);

describe('createPathMatcher', () => {
  it('matches a pattern without a slash against names at any depth', () => {
    expect(matches('*.lock', 'yarn.lock')).toBe(true);
    expect(matches('*.lock', 'packages/a/yarn.lock')).toBe(true);
  });

  it('keeps * within one path segment', () => {
    expect(matches('src/*.ts', 'src/a.ts')).toBe(true);
    expect(matches('src/*.ts', 'lib/src/a.ts')).toBe(false);
  });

  it('lets ** span any number of directories, including none', () => {
    expect(matches('docs/**/*.md', 'docs/a.md')).toBe(true);
    expect(matches('docs/**/*.md', 'docs/x/y/a.md')).toBe(true);
    expect(matches('**/fixtures/**', 'test/fixtures/secret.txt')).toBe(true);
  });

  it('matches everything below a directory pattern', () => {
    expect(matches('vendor', 'vendor/lib/a.js')).toBe(true);
    expect(matches('dist/', 'packages/x/dist/index.js')).toBe(true);
    expect(matches('/build', 'build/out.js')).toBe(true);
  });

  it('does not match a name that merely starts the same', () => {
    expect(matches('vendor', 'vendored/a.js')).toBe(false);
    expect(matches('docs/**', 'docs-site/a.md')).toBe(false);
  });

  it('matches ? as exactly one character', () => {
    expect(matches('file?.txt', 'file1.txt')).toBe(true);
    expect(matches('file?.txt', 'file12.txt')).toBe(false);
  });

  it('supports character classes and brace alternatives', () => {
    expect(matches('*.{png,jpg}', 'img/logo.jpg')).toBe(true);
    expect(matches('*.{png,jpg}', 'img/logo.gif')).toBe(false);
    expect(matches('v[0-9].txt', 'v3.txt')).toBe(true);
    expect(matches('v[!0-9].txt', 'v3.txt')).toBe(false);
    expect(matches('v[!0-9].txt', 'va.txt')).toBe(true);
  });

  it('treats regex characters in patterns literally', () => {
    expect(matches('a+b(c).txt', 'a+b(c).txt')).toBe(true);
    expect(matches('a.txt', 'abtxt')).toBe(false);
  });

  it('matches dotfiles and dot directories like any other name', () => {
    expect(matches('.env', 'config/.env')).toBe(true);
    expect(matches('**/*.yml', '.github/workflows/ci.yml')).toBe(true);
  });

  it('answers a pattern of many ** right over a thousand deep paths', () => {
    const isIgnored = createPathMatcher(['**/**/**/**/**/**/**/**/zz']);
    const paths = Array.from({ length: 1000 }, (_, i) => `${'a/'.repeat(10 + (i % 30))}${i % 2 === 0 ? 'zz' : 'zy'}`);
    const answers = paths.map(isIgnored);
    expect(answers.filter(Boolean)).toHaveLength(500);
    expect(answers.every((answer, i) => answer === (i % 2 === 0))).toBe(true);
    expect(isIgnored('zz/below/it.txt')).toBe(true);
  });

  it('matches nothing without patterns', () => {
    expect(createPathMatcher([])('anything')).toBe(false);
  });
});
