/**
 * What GitHub retired or is retiring in Actions, as data: one row per retirement, with its dates,
 * severity, GitHub's notice and the text GitHub prints in a run's log, so a failed run can be
 * linked to its repair. Adding a row reaches every repository on the next weekly sweep (the
 * table's fingerprint is part of every cached scan).
 */
import { createHash } from 'node:crypto';

export type Severity =
  { kind: 'fails-now'; since: string } | { kind: 'warns-now'; since: string } | { kind: 'fails-on'; date: string };

export type RowKind = 'action-version' | 'node-runtime' | 'runner-label' | 'workflow-command' | 'checkout-pr-head';

export interface RetirementRow {
  id: string;
  kind: RowKind;
  title: string;
  severity: Severity;
  /** GitHub's announcement. */
  notice: string;
  /** Text GitHub prints in the log of a run this row breaks (case-insensitive regular expression). */
  logText: string;
  /** action-version: the action and the first major that still works. */
  action?: string;
  minMajor?: number;
  /** runner-label: the label and its replacement. */
  label?: string;
  replacement?: string;
  /** workflow-command: the command and the environment file replacing it. */
  command?: string;
  envFile?: string;
  /** node-runtime: the runtimes (`runs.using`) this row covers. */
  runtimes?: readonly string[];
}

const ARTIFACT_NOTICE = 'https://github.blog/changelog/2024-04-16-deprecation-notice-v3-of-the-artifact-actions/';
const CACHE_NOTICE =
  'https://github.blog/changelog/2024-12-05-notice-of-upcoming-releases-and-breaking-changes-for-github-actions/';
const NODE20_NOTICE = 'https://github.blog/changelog/2025-09-19-deprecation-of-node-20-on-github-actions-runners/';
const SET_OUTPUT_NOTICE =
  'https://github.blog/changelog/2022-10-11-github-actions-deprecating-save-state-and-set-output-commands/';
const SET_ENV_NOTICE =
  'https://github.blog/changelog/2020-10-01-github-actions-deprecating-set-env-and-add-path-commands/';

function actionRow(action: string, minMajor: number, since: string, notice: string): RetirementRow {
  const name = action.split('/')[1] ?? action;
  return {
    id: `${name}-below-v${minMajor}`,
    kind: 'action-version',
    title: `${action} below v${minMajor}`,
    severity: { kind: 'fails-now', since },
    notice,
    logText: `This request has been automatically failed because it uses a deprecated version of \`${action}: v\\d+\``,
    action,
    minMajor,
  };
}

function runnerRow(label: string, replacement: string, severity: Severity, notice: string): RetirementRow {
  const escaped = label.replace(/\./g, '\\.');
  // "This is a scheduled Ubuntu 20.04 retirement", "The macOS-13 based runner images are now deprecated".
  const image = escaped.replace(/^(ubuntu|windows|macos)-/i, '$1[- ]');
  return {
    id: `runner-${label}`,
    kind: 'runner-label',
    title: `runner label ${label}`,
    severity,
    notice,
    logText: `scheduled ${image} (brownout|retirement)|${image} (based )?(runner|image|environment)s?.{0,40}(retired|deprecated|removed)`,
    label,
    replacement,
  };
}

function commandRow(command: string, envFile: string, severity: Severity, notice: string): RetirementRow {
  return {
    id: `command-${command}`,
    kind: 'workflow-command',
    title: `::${command} workflow command`,
    severity,
    notice,
    logText:
      severity.kind === 'fails-now'
        ? `The \`${command}\` command is disabled`
        : `The \`${command}\` command is deprecated and will be disabled soon`,
    command,
    envFile,
  };
}

export const RETIREMENTS: readonly RetirementRow[] = [
  actionRow('actions/upload-artifact', 4, '2025-01-30', ARTIFACT_NOTICE),
  actionRow('actions/download-artifact', 4, '2025-01-30', ARTIFACT_NOTICE),
  actionRow('actions/cache', 4, '2025-02-01', CACHE_NOTICE),
  {
    id: 'node-runtime',
    kind: 'node-runtime',
    title: 'JavaScript action on Node 12, 16 or 20',
    severity: { kind: 'warns-now', since: '2026-06-16' },
    notice: NODE20_NOTICE,
    logText: 'Node\\.js (12|16|20) actions are deprecated',
    runtimes: ['node12', 'node16', 'node20'],
  },
  runnerRow(
    'ubuntu-18.04',
    'ubuntu-24.04',
    { kind: 'fails-now', since: '2023-04-03' },
    'https://github.com/actions/runner-images/issues/6002',
  ),
  runnerRow(
    'ubuntu-20.04',
    'ubuntu-24.04',
    { kind: 'fails-now', since: '2025-04-15' },
    'https://github.com/actions/runner-images/issues/11101',
  ),
  runnerRow(
    'ubuntu-22.04',
    'ubuntu-24.04',
    { kind: 'fails-on', date: '2027-04-17' },
    'https://github.com/actions/runner-images/issues',
  ),
  runnerRow(
    'windows-2019',
    'windows-2022',
    { kind: 'fails-now', since: '2025-06-30' },
    'https://github.com/actions/runner-images/issues/12045',
  ),
  runnerRow(
    'macos-11',
    'macos-15-intel',
    { kind: 'fails-now', since: '2024-06-28' },
    'https://github.com/actions/runner-images/issues/9255',
  ),
  runnerRow(
    'macos-12',
    'macos-15-intel',
    { kind: 'fails-now', since: '2024-12-03' },
    'https://github.com/actions/runner-images/issues/10721',
  ),
  runnerRow(
    'macos-13',
    'macos-15-intel',
    { kind: 'fails-now', since: '2025-12-04' },
    'https://github.com/actions/runner-images/issues/13046',
  ),
  runnerRow(
    'macos-14',
    'macos-15',
    { kind: 'fails-on', date: '2026-11-02' },
    'https://github.com/actions/runner-images/issues',
  ),
  commandRow('set-output', 'GITHUB_OUTPUT', { kind: 'warns-now', since: '2022-10-11' }, SET_OUTPUT_NOTICE),
  commandRow('save-state', 'GITHUB_STATE', { kind: 'warns-now', since: '2022-10-11' }, SET_OUTPUT_NOTICE),
  commandRow('set-env', 'GITHUB_ENV', { kind: 'fails-now', since: '2020-11-16' }, SET_ENV_NOTICE),
  commandRow('add-path', 'GITHUB_PATH', { kind: 'fails-now', since: '2020-11-16' }, SET_ENV_NOTICE),
  {
    id: 'checkout-pr-head',
    kind: 'checkout-pr-head',
    title: 'pull_request_target / workflow_run checking out the pull request head',
    severity: { kind: 'warns-now', since: '2026-06-16' },
    notice: 'https://securitylab.github.com/resources/github-actions-preventing-pwn-requests/',
    logText: 'actions/checkout refuses to check out (an untrusted|the pull request) head',
  },
];

/** Official JavaScript actions: the first major whose `runs.using` is node24 (a cache of action.yml). */
export const NODE24_MAJORS: Readonly<Record<string, number>> = {
  'actions/checkout': 5,
  'actions/setup-node': 5,
  'actions/setup-python': 6,
  'actions/setup-java': 5,
  'actions/cache': 5,
  'actions/upload-artifact': 6,
  'actions/download-artifact': 7,
};

/** Changes whenever a row changes, so cached scans made with an older table are redone. */
export const RETIREMENTS_FINGERPRINT = createHash('sha256')
  .update(JSON.stringify([RETIREMENTS, NODE24_MAJORS]))
  .digest('hex')
  .slice(0, 16);

export function findRow(id: string): RetirementRow {
  const row = RETIREMENTS.find((candidate) => candidate.id === id);
  if (!row) throw new Error(`No retirement row ${id}`);
  return row;
}

/**
 * How the severity reads in a pull request: **fails now**, **warns now**, **fails on <date>**; a
 * "fails on" date that has passed reads as failing since then.
 */
export function describeSeverity(severity: Severity, now: number = Date.now()): string {
  if (severity.kind === 'fails-on' && Date.parse(severity.date) <= now) return `fails now (since ${severity.date})`;
  if (severity.kind === 'fails-on') return `fails on ${severity.date}`;
  if (severity.kind === 'fails-now') return `fails now (since ${severity.since})`;
  return `warns now (since ${severity.since})`;
}

export interface RetirementMatch {
  row: RetirementRow;
  /** The log line that matched, trimmed. */
  evidence: string;
  line: number;
}

const COMPILED = RETIREMENTS.map((row) => ({ row, pattern: new RegExp(row.logText, 'i') }));

/** The rows whose log text appears in a run's log, each with its first matching line. */
export function matchRetirementLog(lines: readonly string[]): RetirementMatch[] {
  const matches: RetirementMatch[] = [];
  for (const { row, pattern } of COMPILED) {
    const index = lines.findIndex((line) => pattern.test(line));
    if (index >= 0) matches.push({ row, evidence: (lines[index] ?? '').trim().slice(0, 300), line: index + 1 });
  }
  return matches;
}
