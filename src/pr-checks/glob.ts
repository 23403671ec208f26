/**
 * A small gitignore-flavoured glob matcher for `ignorePaths`:
 * - `*` matches within one path segment, `?` one character, `**` any number of segments,
 *   `[abc]` / `[!abc]` a character class, `{a,b}` alternatives (not nested);
 * - a pattern without `/` matches a file or directory name at any depth (`*.lock`, `vendor`);
 * - a pattern with `/` is anchored at the repository root (a leading `/` or `./` is ignored);
 * - a pattern that matches a directory matches everything below it (`docs`, `docs/`, `docs/**`).
 */
export function compileGlob(pattern: string): RegExp {
  let glob = pattern.trim().replace(/^\.\//, '');
  const anchored = glob.replace(/\/+$/, '').includes('/');
  glob = glob.replace(/^\/+/, '').replace(/\/+$/, '');
  const body = translateGlob(glob);
  return new RegExp(`${anchored ? '^' : '(?:^|/)'}${body}(?:/|$)`);
}

/** Returns a predicate telling whether a repository path matches any of the globs. */
export function createPathMatcher(globs: readonly string[]): (path: string) => boolean {
  const compiled = globs.map(compileGlob);
  return (path) => compiled.some((regex) => regex.test(path));
}

function translateGlob(glob: string): string {
  let out = '';
  let inBraces = false;
  for (let i = 0; i < glob.length; i += 1) {
    const char = glob.charAt(i);
    if (char === '*') {
      if (glob.charAt(i + 1) === '*') {
        const atSegmentStart = i === 0 || glob.charAt(i - 1) === '/';
        const followedBySlash = glob.charAt(i + 2) === '/';
        if (atSegmentStart && followedBySlash) {
          out += '(?:[^/]*/)*';
          i += 2;
        } else {
          out += '.*';
          i += 1;
        }
      } else {
        out += '[^/]*';
      }
    } else if (char === '?') {
      out += '[^/]';
    } else if (char === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end === -1) {
        out += '\\[';
      } else {
        const negated = glob.charAt(i + 1) === '!' || glob.charAt(i + 1) === '^';
        const members = glob.slice(negated ? i + 2 : i + 1, end).replace(/[\\\]^]/g, '\\$&');
        out += negated ? `[^/${members}]` : `[${members}]`;
        i = end;
      }
    } else if (char === '{' && !inBraces && glob.indexOf('}', i) !== -1) {
      out += '(?:';
      inBraces = true;
    } else if (char === '}' && inBraces) {
      out += ')';
      inBraces = false;
    } else if (char === ',' && inBraces) {
      out += '|';
    } else {
      out += char.replace(/[.+^${}()|\\/]/g, '\\$&');
    }
  }
  return out;
}
