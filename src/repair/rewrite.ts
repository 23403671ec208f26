/**
 * Applies findings to a file: each edit replaces its own bytes, nothing else moves, so comments,
 * quoting, indentation, key order, anchors, blank lines and CRLF endings stay as they were.
 */
import { scanWorkflow } from './scan-workflow.js';
import type { ActionFactsMap, Edit, Finding } from './types.js';

/** `text` with every edit applied; overlapping edits keep the first (by position). */
export function applyEdits(text: string, edits: readonly Edit[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  let result = '';
  let cursor = 0;
  for (const edit of sorted) {
    if (edit.start < cursor) continue;
    result += text.slice(cursor, edit.start) + edit.text;
    cursor = edit.end;
  }
  return result + text.slice(cursor);
}

export interface RepairedFile {
  path: string;
  text: string;
  findings: Finding[];
  changed: boolean;
}

/** Scans one file and applies every rewritable finding. */
export function repairWorkflow(path: string, text: string, facts: ActionFactsMap): RepairedFile {
  const findings = scanWorkflow(path, text, facts);
  const repaired = applyEdits(
    text,
    findings.flatMap((finding) => finding.edits),
  );
  return { path, text: repaired, findings, changed: repaired !== text };
}
