export const MAX_EXCERPT_LINES = 30;

// Lines that never explain a failure, whichever tool printed them: runner markers, package manager
// chatter, progress, passing tests.
const NOISE =
  /^(?:##\[(?:group|endgroup)\]|npm (?:ERR!|error|warn|notice)\s*$|npm (?:timing|verb|sill|http) |.*A complete log of this run can be found in|.*For more info run: npm help|Progress: resolved |\s*(?:✓|✔|√) |\s*--- PASS: |test \S+ \.\.\. ok$|PASS )/;
const MIN_LINES_PER_BLOCK = 4;

/**
 * Turns per-failure blocks into one excerpt of at most `max` lines: every block gets its first
 * lines before any block gets more, blocks are separated by a blank line, and the summary closes it.
 */
export function composeExcerpt(
  blocks: readonly (readonly string[])[],
  summary?: string,
  max = MAX_EXCERPT_LINES,
): string[] {
  const cleaned = blocks.map(tidyBlock).filter((block) => block.length > 0);
  const budget = max - (summary ? 2 : 0);
  const taken = cleaned.map(() => 0);
  let used = -1; // the first block needs no separator
  for (let index = 0; index < cleaned.length && used + 2 <= budget; index += 1) {
    const block = cleaned[index] ?? [];
    const take = Math.min(block.length, MIN_LINES_PER_BLOCK, budget - used - 1);
    taken[index] = take;
    used += take + 1;
  }
  for (let index = 0; index < cleaned.length && used < budget; index += 1) {
    if ((taken[index] ?? 0) === 0) break;
    const more = Math.min((cleaned[index]?.length ?? 0) - (taken[index] ?? 0), budget - used);
    taken[index] = (taken[index] ?? 0) + more;
    used += more;
  }
  const lines: string[] = [];
  cleaned.forEach((block, index) => {
    const take = taken[index] ?? 0;
    if (take === 0) return;
    if (lines.length > 0) lines.push('');
    lines.push(...block.slice(0, take));
  });
  if (summary) lines.push('', summary.trim());
  return lines.slice(0, max);
}

/** Drops blank edges and repeated blank lines, right-trims, and removes the block's common indent. */
function tidyBlock(block: readonly string[]): string[] {
  const lines: string[] = [];
  for (const raw of block) {
    const line = raw.trimEnd();
    if (NOISE.test(line)) continue;
    if (line.length === 0 && (lines.length === 0 || lines[lines.length - 1] === '')) continue;
    lines.push(line);
  }
  while (lines[lines.length - 1] === '') lines.pop();
  const indents = lines.filter((line) => line.length > 0).map((line) => line.length - line.trimStart().length);
  const common = indents.length > 0 ? Math.min(...indents) : 0;
  return common > 0 ? lines.map((line) => line.slice(common)) : lines;
}
