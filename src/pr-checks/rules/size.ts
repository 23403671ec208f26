import type { Finding } from '../types.js';

const formatCount = (n: number): string => n.toLocaleString('en-US');

/** A pull request changing more than `maxChangedLines` lines gets a warning (never a failure). */
export function checkSize(changedLines: number, maxChangedLines: number): Finding[] {
  if (changedLines <= maxChangedLines) return [];
  return [
    {
      rule: 'size',
      severity: 'warning',
      file: null,
      line: null,
      title: 'Large pull request',
      explanation:
        `This pull request changes ${formatCount(changedLines)} lines (additions plus deletions), ` +
        `more than the ${formatCount(maxChangedLines)} set by prChecks.maxChangedLines. ` +
        'Large changes are slower to review and easier to get wrong.',
      fix: 'Split it into smaller pull requests, exclude generated files with prChecks.ignorePaths, or raise prChecks.maxChangedLines in .github/keel.yml.',
      evidence: `${formatCount(changedLines)} changed lines > ${formatCount(maxChangedLines)}`,
    },
  ];
}
