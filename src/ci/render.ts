import { fitStatusDescription, STATUS_DESCRIPTION_LIMIT } from '../github/repository.js';
import type { RepairPending } from '../repair/repair-after-retirement.js';
import { describeSeverity } from '../repair/retirements.js';
import type { Diagnosis, DiagnosisKind } from './diagnose.js';

export const CI_COMMENT_MARKER = '<!-- keel:ci -->';
const EXCERPT_LINE_LIMIT = 300;
const BODY_LIMIT = 60_000; // GitHub rejects comments over 65,536 characters
const SHOWN_FAILURES = 10;

// ---------------------------------------------------------------- commit status

/**
 * The `keel/ci` commit status description, at most 140 characters. `notDiagnosed` counts failed
 * jobs whose logs were not read (past the per-run cap): they are counted, never named.
 */
export function describeFailures(diagnoses: readonly Diagnosis[], notDiagnosed = 0): string {
  if (diagnoses.length === 0) return notDiagnosed > 0 ? `${notDiagnosed} jobs failed` : 'No failed jobs';
  if (diagnoses.length === 1 && diagnoses[0] && notDiagnosed === 0)
    return fitStatusDescription(describeJob(diagnoses[0]));
  const parts = diagnoses.map((diagnosis) => {
    const detail = countPhrase(diagnosis);
    return detail ? `${diagnosis.job.name} (${detail})` : diagnosis.job.name;
  });
  const head = `${diagnoses.length + notDiagnosed} jobs failed: `;
  const more = (hidden: number): string => (hidden > 0 ? ` +${hidden} more` : '');
  let text = head + parts.join(', ') + more(notDiagnosed);
  for (let shown = parts.length - 1; text.length > STATUS_DESCRIPTION_LIMIT && shown > 0; shown -= 1) {
    text = `${head}${parts.slice(0, shown).join(', ')}${more(parts.length - shown + notDiagnosed)}`;
  }
  return fitStatusDescription(text);
}

function describeJob(diagnosis: Diagnosis): string {
  const job = diagnosis.job.name;
  const flaky = diagnosis.failures.filter((failure) => failure.knownFlaky).length;
  const flakyNote = flaky > 0 ? `; ${flaky} known flaky` : '';
  switch (diagnosis.kind) {
    case 'test-failure':
      return `${countPhrase(diagnosis) || 'Tests'} failed in ${diagnosis.tool ?? 'the test run'} (job ${job}${flakyNote})`;
    case 'compile-error':
    case 'lint':
      return `${countPhrase(diagnosis) || KIND_LABELS[diagnosis.kind]} in ${diagnosis.tool ?? 'the build'} (job ${job})`;
    case 'dependency-install':
      return `Dependency install failed${diagnosis.tool ? ` in ${diagnosis.tool}` : ''} (job ${job})`;
    case 'timeout':
      return `Job ${job} timed out`;
    case 'cancelled':
      return `Job ${job} was cancelled`;
    case 'infrastructure':
      return `Job ${job} failed on GitHub's side, not in the code`;
    case 'github-deprecation':
      return `Job ${job} uses an action version GitHub has shut down`;
    case 'unknown':
      return diagnosis.failedStep ? `Job ${job} failed at step "${diagnosis.failedStep.name}"` : `Job ${job} failed`;
  }
}

const COUNT_NOUNS: Partial<Record<DiagnosisKind, [string, string]>> = {
  'test-failure': ['test', 'tests'],
  'compile-error': ['compile error', 'compile errors'],
  lint: ['lint error', 'lint errors'],
};

const KIND_PHRASES: Partial<Record<DiagnosisKind, string>> = {
  timeout: 'timed out',
  cancelled: 'cancelled',
  'dependency-install': 'install failed',
  infrastructure: 'GitHub-side failure',
  'github-deprecation': 'deprecated action',
};

function countPhrase(diagnosis: Diagnosis): string {
  const nouns = COUNT_NOUNS[diagnosis.kind];
  if (!nouns) return KIND_PHRASES[diagnosis.kind] ?? '';
  if (diagnosis.failureCount === 0) return '';
  return `${diagnosis.failureCount} ${diagnosis.failureCount === 1 ? nouns[0] : nouns[1]}`;
}

// ---------------------------------------------------------------- PR comment

/** One diagnosis page for all, or the page of each diagnosis (several runs on one commit). */
export type DiagnosisUrl = string | ((diagnosis: Diagnosis) => string);

export type CiCommentInput =
  | {
      state: 'failing';
      sha: string;
      diagnoses: readonly Diagnosis[];
      diagnosisUrl: DiagnosisUrl;
      /** Failed jobs whose logs were not read (past the per-run cap). */
      notDiagnosed?: number;
    }
  | { state: 'fixed'; sha: string; fixedJobs: readonly string[] };

/** The Markdown of Keel's single CI comment on a pull request, found again by its marker. */
export function renderCiComment(input: CiCommentInput): string {
  if (input.state === 'fixed') {
    const jobs = input.fixedJobs.map(codeSpan).join(', ');
    return [
      CI_COMMENT_MARKER,
      `### ✅ CI passes on ${codeSpan(shortSha(input.sha))}`,
      '',
      jobs ? `The failures Keel reported earlier are fixed: ${jobs}.` : 'The failures Keel reported earlier are fixed.',
    ].join('\n');
  }
  return limitBody([
    CI_COMMENT_MARKER,
    `### ❌ CI failed on ${codeSpan(shortSha(input.sha))}`,
    '',
    escapeText(describeFailures(input.diagnoses, input.notDiagnosed)),
    '',
    ...input.diagnoses.flatMap((diagnosis) => renderJob(diagnosis, input.diagnosisUrl)),
    ...renderNotDiagnosed(input.notDiagnosed),
  ]);
}

/** The line saying how many failed jobs were left undiagnosed (nothing when none were). */
function renderNotDiagnosed(notDiagnosed = 0): string[] {
  if (notDiagnosed <= 0) return [];
  return [
    `_Not diagnosed: ${notDiagnosed} more ${notDiagnosed === 1 ? 'job' : 'jobs'} (Keel reads at most 30 failed jobs' logs per run)._`,
  ];
}

// ---------------------------------------------------------------- tracking issue

export interface TrackingIssueInput {
  branch: string;
  workflow: string;
  sha: string;
  runUrl: string;
  diagnoses: readonly Diagnosis[];
  diagnosisUrl: string;
  /** Failed jobs whose logs were not read (past the per-run cap). */
  notDiagnosed?: number;
}

/** The hidden marker that finds the tracking issue of one branch and workflow again. */
export function trackingIssueMarker(branch: string, workflow: string): string {
  return `<!-- keel:ci-tracking ${encodeURIComponent(branch)} ${encodeURIComponent(workflow)} -->`;
}

/** The issue Keel keeps open while the default branch is red. */
export function renderTrackingIssue(input: TrackingIssueInput): { title: string; body: string } {
  return {
    title: `CI failing on ${input.branch}: ${input.workflow}`,
    body: limitBody([
      trackingIssueMarker(input.branch, input.workflow),
      `The ${bold(input.workflow)} workflow fails on ${codeSpan(input.branch)} since ${codeSpan(shortSha(input.sha))} ([run](${input.runUrl})).`,
      'Keel keeps this issue open while the branch is red, adds a comment for each new failure, and closes it when the workflow passes again.',
      '',
      ...input.diagnoses.flatMap((diagnosis) => renderJob(diagnosis, input.diagnosisUrl)),
      ...renderNotDiagnosed(input.notDiagnosed),
    ]),
  };
}

/** The comment Keel adds to the tracking issue when a later run fails again. */
export function renderTrackingIssueComment(input: TrackingIssueInput): string {
  return limitBody([
    `Still failing at ${codeSpan(shortSha(input.sha))} ([run](${input.runUrl})): ${escapeText(describeFailures(input.diagnoses, input.notDiagnosed))}`,
    '',
    ...input.diagnoses.flatMap((diagnosis) => renderJob(diagnosis, input.diagnosisUrl)),
    ...renderNotDiagnosed(input.notDiagnosed),
  ]);
}

// ---------------------------------------------------------------- one failed job

export const KIND_LABELS: Record<DiagnosisKind, string> = {
  'test-failure': 'test failure',
  'compile-error': 'compile error',
  lint: 'lint',
  'dependency-install': 'dependency install',
  timeout: 'timeout',
  cancelled: 'cancelled',
  infrastructure: 'GitHub infrastructure',
  'github-deprecation': 'GitHub deprecation',
  unknown: 'unknown cause',
};

function renderJob(diagnosis: Diagnosis, diagnosisUrls: DiagnosisUrl): string[] {
  const diagnosisUrl = typeof diagnosisUrls === 'string' ? diagnosisUrls : diagnosisUrls(diagnosis);
  const tool = diagnosis.tool ? ` (${escapeText(diagnosis.tool)})` : '';
  const step = diagnosis.failedStep ? `, step ${bold(diagnosis.failedStep.name)}` : '';
  const lines = [
    `#### ${codeSpan(diagnosis.job.name)}: ${KIND_LABELS[diagnosis.kind]}${tool}`,
    `Workflow ${bold(diagnosis.workflow)}${step} · [log](${diagnosis.logUrl}) · [diagnosis](${diagnosisUrl})`,
    '',
  ];
  if (diagnosis.note) lines.push(`> ${escapeText(diagnosis.note)}`, '');
  if (diagnosis.secretsMasked) lines.push(`> 🔒 ${escapeText(describeMaskedSecrets(diagnosis.secretsMasked))}`, '');
  lines.push(...renderRetirements(diagnosis));
  // GitHub-side failures have no failures of their own: the note and the runner's message say it all.
  const byGithub = diagnosis.kind === 'github-deprecation' || diagnosis.kind === 'infrastructure';
  const shown = byGithub ? [] : diagnosis.failures.slice(0, SHOWN_FAILURES);
  for (const failure of shown) {
    const name = failure.test ? `${codeSpan(failure.test)} ` : '';
    const where = failure.file ? `${codeSpan(failure.line ? `${failure.file}:${failure.line}` : failure.file)} ` : '';
    const flaky = failure.knownFlaky ? ' _(known flaky)_' : '';
    lines.push(`- ${name}${where}${escapeText(truncate(failure.message, 200))}${flaky}`);
  }
  const more = byGithub ? 0 : diagnosis.failureCount - shown.length;
  if (more > 0) lines.push(`- …and ${more} more`);
  if (shown.length > 0) lines.push('');
  if (diagnosis.excerpt.length > 0)
    lines.push(...fence(diagnosis.excerpt.map((line) => truncate(line, EXCERPT_LINE_LIMIT))), '');
  return lines;
}

/** The retirements the job's log shows, then the repair pull request that fixes them or how to get one. */
function renderRetirements({ retirements = [], repairPull, repairPending }: Diagnosis): string[] {
  if (retirements.length === 0) return [];
  const rows = retirements.flatMap((row) => [
    `> GitHub retirement: ${bold(row.title)}, ${describeSeverity(row.severity)} · [GitHub's notice](${row.notice})`,
    '>',
  ]);
  const repair = repairPull
    ? `Keel's repair pull request #${repairPull.number} fixes this.`
    : repairPending?.kind === 'dry-run'
      ? `${REPAIR_DRY_RUN_TEXT} [the dry run](${repairPending.detailsUrl}) lists the changes it would make.`
      : `${describeRepairPending(repairPending)} comment \`/keel repair\` to ask for it now.`;
  return [...rows, `> ${repair}`, ''];
}

/** Said when repair runs in dry-run mode, before the link to the dry run's page. */
export const REPAIR_DRY_RUN_TEXT = 'Repair runs in dry-run mode here, so no pull request is opened:';

/**
 * Said when no repair pull request is open once the repair this failure started has run (other
 * than a dry run); the comment and the page add how to ask for one.
 */
export function describeRepairPending(pending: RepairPending | undefined): string {
  if (pending?.kind === 'failed')
    return pending.retry === 'hourly'
      ? "Keel's repair did not finish this time (GitHub failed or could not be reached); it is retried within the hour. Not to wait,"
      : "Keel's repair did not finish this time; the weekly sweep tries it again, and Keel's logs say why. Not to wait,";
  return 'No repair pull request is open: repair is switched off here, waiting for the hourly limit on new bot pull requests, or found nothing to change on the default branch. To find out which, or to try again,';
}

/** The warning shown with a diagnosis whose quoted log printed secrets ("1 secret masked…"). */
export function describeMaskedSecrets(count: number): string {
  const what = count === 1 ? '1 secret masked' : `${count} secrets masked`;
  const it = count === 1 ? 'it' : 'them';
  return (
    `${what}: the job's log printed ${count === 1 ? 'a credential' : 'credentials'} in clear, hidden here. ` +
    `Anyone who can read the log has seen ${it}: rotate ${it}, and stop the step from printing ${it}.`
  );
}

// ---------------------------------------------------------------- Markdown safety

/** A fenced block whose fence is longer than any backtick run inside, so log text cannot close it. */
function fence(lines: readonly string[]): string[] {
  const longest = Math.max(2, ...lines.map(longestBacktickRun));
  const marks = '`'.repeat(longest + 1);
  return [`${marks}text`, ...lines, marks];
}

/** An inline code span for any text (mentions and Markdown inside code never render). */
function codeSpan(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  const marks = '`'.repeat(longestBacktickRun(flat) + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${marks}${pad}${flat}${pad}${marks}`;
}

/**
 * Plain text from a log made inert: Markdown and HTML characters escaped, and `@name` broken with a
 * zero-width joiner so nobody is pinged by what a test printed.
 */
export function escapeText(text: string): string {
  return text
    .replace(/[\\`*_{}[\]<>#|~!]/g, '\\$&')
    .replace(/@(?=[\w-])/g, '@\u200d')
    .replace(/\r?\n/g, ' ');
}

function bold(text: string): string {
  return `**${escapeText(text)}**`;
}

function longestBacktickRun(text: string): number {
  let longest = 0;
  for (const run of text.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  return longest;
}

function shortSha(sha: string): string {
  return sha.slice(0, 7);
}

function truncate(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

function limitBody(lines: readonly string[]): string {
  const body = lines.join('\n').trimEnd();
  if (body.length <= BODY_LIMIT) return body;
  // Never cut inside a code fence: drop whole lines from the end and say so.
  const kept: string[] = [];
  let length = 0;
  for (const line of lines) {
    if (length + line.length + 1 > BODY_LIMIT - 200) break;
    kept.push(line);
    length += line.length + 1;
  }
  const openFence = kept.filter((line) => /^`{3,}/.test(line)).length % 2 === 1;
  const closing = openFence ? [kept.findLast((line) => /^`{3,}/.test(line))?.replace(/text$/, '') ?? '```'] : [];
  return [...kept, ...closing, '', '_Truncated: the full diagnosis is on the diagnosis page._'].join('\n');
}
