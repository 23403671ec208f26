/**
 * The repair pull request as developers see it, and what to do with it: pure. One pull request
 * per repository from `keel/repair-workflows`, recognised by its hidden marker, which carries a
 * hash of the findings: the same findings never open, update or reopen anything.
 */
import { createHash } from 'node:crypto';
import { describeSeverity, findRow } from './retirements.js';
import type { Finding } from './types.js';
import type { BotPullRequest } from './github.js';

export const REPAIR_BRANCH = 'keel/repair-workflows';
export const REPAIR_TITLE = 'Repair GitHub Actions workflows GitHub retired or deprecated';
const MARKER = /<!-- keel:repair-workflows hash=([\w-]+) -->/;
const MAX_ROWS = 200;

export function markerFor(hash: string): string {
  return `<!-- keel:repair-workflows hash=${hash} -->`;
}

export function readMarker(body: string): string | null {
  return MARKER.exec(body)?.[1] ?? null;
}

/** Stable across runs: the findings' places and changes, not their byte offsets. */
export function fingerprintFindings(findings: readonly Finding[]): string {
  const keys = findings.map((finding) => [finding.path, finding.line, finding.rowId, finding.before, finding.after]);
  return createHash('sha256').update(JSON.stringify(keys)).digest('hex').slice(0, 16);
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function code(text: string): string {
  return `\`${cell(text).replace(/`/g, "'")}\``;
}

export function renderFindingRow(finding: Finding): string {
  const row = findRow(finding.rowId);
  const after = finding.after === null ? `_by hand:_ ${cell(finding.note ?? '')}` : code(finding.after);
  const why = finding.after !== null && finding.note ? `${row.title}. ${finding.note}` : row.title;
  return `| \`${cell(finding.path)}:${finding.line}\` | ${code(finding.before)} | ${after} | ${cell(why)} | **${describeSeverity(row.severity)}** | [notice](${row.notice}) |`;
}

export function renderFindingsTable(findings: readonly Finding[]): string {
  const rows = findings.slice(0, MAX_ROWS).map(renderFindingRow);
  const more = findings.length > MAX_ROWS ? [`\n…and ${findings.length - MAX_ROWS} more.`] : [];
  return [
    '| Where | Before | After | Why | Severity | GitHub’s notice |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    ...more,
  ].join('\n');
}

const ARTIFACT_CAVEAT =
  '> [!WARNING]\n> From v4, artifacts are immutable: two jobs can no longer upload to the same name. Where a matrix job uploaded under a literal name, this pull request adds the matrix values to it; check any later `download-artifact` step that names it (use `pattern:` and `merge-multiple: true` to gather them).';

export function renderRepairBody(findings: readonly Finding[]): string {
  const files = new Set(findings.map((finding) => finding.path)).size;
  const artifacts = findings.some((finding) => /artifact/.test(finding.rowId) && finding.after !== null);
  return [
    `Keel found ${findings.length} use${findings.length === 1 ? '' : 's'} of things GitHub retired or is retiring in ${files} workflow file${files === 1 ? '' : 's'}. This pull request changes only those values: comments, quoting and formatting are kept. Review and merge it when you are ready; Keel never merges it, and keeps it up to date while it is open.`,
    '',
    renderFindingsTable(findings),
    ...(artifacts ? ['', ARTIFACT_CAVEAT] : []),
    '',
    'Closing this pull request without merging it tells Keel not to open it again for the same findings. To stop repair pull requests in this repository, add `repair: false` to `.github/keel.yml`; `repair: { mode: dry-run }` lists the changes without opening anything.',
    '',
    markerFor(fingerprintFindings(findings)),
  ].join('\n');
}

export type RepairPlan =
  | { kind: 'nothing' }
  | { kind: 'close'; pull: BotPullRequest }
  | { kind: 'unchanged'; pull: BotPullRequest }
  | { kind: 'update'; pull: BotPullRequest }
  | { kind: 'open' };

/** What to do, given the findings and Keel's pull requests from the branch (newest first). */
export function planRepair(findings: readonly Finding[], pulls: readonly BotPullRequest[]): RepairPlan {
  const ours = pulls.filter((pull) => readMarker(pull.body) !== null);
  const open = ours.find((pull) => pull.state === 'open');
  if (!findings.some((finding) => finding.edits.length > 0))
    return open ? { kind: 'close', pull: open } : { kind: 'nothing' };
  const hash = fingerprintFindings(findings);
  if (open) return readMarker(open.body) === hash ? { kind: 'unchanged', pull: open } : { kind: 'update', pull: open };
  // Closed by a human (or merged) with these very findings: not again.
  const declined = ours.find((pull) => readMarker(pull.body) === hash);
  return declined ? { kind: 'unchanged', pull: declined } : { kind: 'open' };
}

/** The body of a pull request Keel closes because nothing is left: its marker no longer declines anything. */
export function closedBody(body: string): string {
  return body.replace(MARKER, markerFor('none'));
}

/** The hidden marker of Keel's closing comment, looked up before commenting so it is made once. */
export const NOTHING_LEFT_MARKER = '<!-- keel:repair-closed -->';
export const NOTHING_LEFT_COMMENT =
  'Keel closed this pull request: the default branch no longer uses anything it repaired. Nothing else to do.';
