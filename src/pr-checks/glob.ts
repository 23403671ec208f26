import picomatch from 'picomatch';

/**
 * Gitignore-flavoured globs for `ignorePaths`, matched with picomatch:
 * - `*` matches within one path segment, `?` one character, `**` any number of segments,
 *   `[abc]` / `[!abc]` a character class, `{a,b}` alternatives; other characters are literal;
 * - a pattern without `/` matches a file or directory name at any depth (`*.lock`, `vendor`);
 * - a pattern with `/` is anchored at the repository root (a leading `/` or `./` is ignored);
 * - a pattern that matches a directory matches everything below it (`docs`, `docs/`, `docs/**`).
 */
const OPTIONS: picomatch.PicomatchOptions = { dot: true, nonegate: true };

/** The picomatch patterns one `ignorePaths` entry stands for. */
function expandGlob(pattern: string): string[] {
  const trimmed = pattern
    .trim()
    .replace(/^\.\//, '')
    // Parentheses are literal here, which also turns off picomatch's extglobs; picomatch reads
    // `[!…]` inverted, so it gets the `[^…]` it reads right.
    .replace(/[()]/g, '\\$&')
    .replaceAll('[!', '[^');
  const anchored = trimmed.replace(/\/+$/, '').includes('/');
  const glob = trimmed.replace(/^\/+/, '').replace(/\/+$/, '');
  const rooted = anchored ? glob : `**/${glob}`;
  return [rooted, `${rooted}/**`];
}

/** Returns a predicate telling whether a repository path matches any of the globs. */
export function createPathMatcher(globs: readonly string[]): (path: string) => boolean {
  if (globs.length === 0) return () => false;
  return picomatch(globs.flatMap(expandGlob), OPTIONS);
}
