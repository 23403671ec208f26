import type { AddedLine, Finding } from '../types.js';

const OURS = /^<{7}(?: |$)/;
const SEPARATOR = /^={7}\s*$/;
const THEIRS = /^>{7}(?: |$)/;

/**
 * Finds complete merge-conflict sets (`<<<<<<<`, then `=======`, then `>>>>>>>`, each at the start
 * of an added line, in that order). A lone `=======`, such as a Markdown heading underline, is fine.
 */
export function findConflictMarkers(file: string, added: readonly AddedLine[]): Finding[] {
  const findings: Finding[] = [];
  let openedAt: number | null = null;
  let separated = false;
  for (const { line, text } of added) {
    const first = text.charCodeAt(0);
    if (first !== 60 /* < */ && first !== 61 /* = */ && first !== 62 /* > */) continue;
    if (OURS.test(text)) {
      openedAt = line;
      separated = false;
    } else if (openedAt !== null && SEPARATOR.test(text)) {
      separated = true;
    } else if (openedAt !== null && separated && THEIRS.test(text)) {
      findings.push(createFinding(file, openedAt, line));
      openedAt = null;
      separated = false;
    }
  }
  return findings;
}

function createFinding(file: string, start: number, end: number): Finding {
  return {
    rule: 'conflict-markers',
    severity: 'failure',
    file,
    line: start,
    title: 'Unresolved merge conflict',
    explanation: `Lines ${start}–${end} add a complete set of merge-conflict markers (<<<<<<<, =======, >>>>>>>): a conflict was committed without being resolved.`,
    fix: 'Resolve the conflict: keep the right side (or combine both), delete the three marker lines, and push again.',
    evidence: `<<<<<<< … ======= … >>>>>>> (lines ${start}–${end})`,
  };
}
