// Helpers to pick the telling lines out of an assertion report, shared by the JavaScript runners.

/** `- Expected`, `+ Received`, `+ actual - expected`, and the `-`/`+` lines of a diff. */
export function isDiffLine(trimmed: string): boolean {
  const first = trimmed.charCodeAt(0);
  if (first !== 43 && first !== 45) return false; // + or -
  return trimmed.length === 1 || trimmed.charCodeAt(1) === 32;
}

/** `Expected: "a"` / `Received: "b"` (jest) or `expected: 'x'` / `actual: 'y'` (node:assert). */
export function isExpectationLine(trimmed: string): boolean {
  return /^(?:Expected|Received|expected|actual)(?: [\w ]+)?:\s/.test(trimmed);
}

/** A code frame line such as `  10|   expect(x)` or `> 13 |   expect(x)`. */
export function isCodeFrameLine(trimmed: string): boolean {
  return /^>?\s*\d*\s*\|/.test(trimmed);
}

/** The caret line under a code frame: `   |     ^`. */
export function isCaretLine(trimmed: string): boolean {
  return /^\|\s*\^+\s*$/.test(trimmed);
}

/**
 * Keeps a short assertion report: the message, the expectation or diff lines and the pointed-at
 * source line; the surrounding code frame, blank lines and runtime frames are left out.
 */
export function selectAssertionLines(lines: readonly string[], maxDiffLines = 8): string[] {
  const kept: string[] = [];
  let messageDone = false;
  let diffLines = 0;
  let previous = '';
  for (const line of lines) {
    const trimmed = line.trim();
    if (trimmed.length === 0) {
      if (kept.length > 0) messageDone = true;
    } else if (isCaretLine(trimmed)) {
      const pointed = previous.trim();
      if (isCodeFrameLine(pointed) && !pointed.startsWith('>')) kept.push(previous);
    } else if (trimmed.startsWith('>') && isCodeFrameLine(trimmed)) {
      kept.push(line);
    } else if (isDiffLine(trimmed) || isExpectationLine(trimmed)) {
      if (diffLines < maxDiffLines) kept.push(line);
      diffLines += 1;
      messageDone = true;
    } else if (!messageDone && !isCodeFrameLine(trimmed) && !/^\s*(?:at |❯ )/.test(line)) {
      kept.push(line);
    }
    previous = line;
  }
  return kept;
}
