/** The replies of the commands that report another capability's work: verify and repair. */
import { escapeText } from '../ci/render.js';
import type { VerificationReport } from '../connection/verify/types.js';
import type { RepairOutcome } from '../repair/repair-repository.js';

const DISABLED_BY: Record<string, string> = {
  'service-off': 'the `repair` service is switched off in the console',
  excluded: 'this repository is excluded in the console',
  config: '`.github/keel.yml` turns repair off',
  'config-invalid': '`.github/keel.yml` is invalid; fix it and Keel repairs again',
};

const STATE_ICONS: Record<string, string> = { connected: '✅', degraded: '⚠️', pending: '⏳' };

export function renderVerification(
  report: VerificationReport | undefined,
  installationId: number,
  consoleUrl: string,
): string {
  if (!report) return `Keel does not know installation ${installationId} yet. [Open the console](${consoleUrl})`;
  const icon = STATE_ICONS[report.state] ?? '❌';
  const problems = report.checks.filter((check) => check.status === 'fail' || check.status === 'warn');
  const passed = report.checks.filter((check) => check.status === 'pass').length;
  const lines = [
    `${icon} Installation ${installationId} is **${report.state}** (${passed} of ${report.checks.length} checks pass).`,
  ];
  if (problems.length > 0) lines.push('');
  for (const check of problems) {
    const remedy = check.remedy ? ` ${escapeText(check.remedy)}` : '';
    lines.push(`- ${check.status === 'fail' ? '❌' : '⚠️'} **${check.name}**: ${escapeText(check.finding)}${remedy}`);
  }
  lines.push('', `[Open the console](${consoleUrl})`);
  return lines.join('\n');
}

export function renderRepairOutcome(outcome: RepairOutcome): string {
  const pull = outcome.pullRequestUrl ? ` ${outcome.pullRequestUrl}` : '';
  const details = outcome.detailsUrl ? ` ([details](${outcome.detailsUrl}))` : '';
  const findings = `${outcome.findings} ${outcome.findings === 1 ? 'finding' : 'findings'}`;
  switch (outcome.kind) {
    case 'opened':
      return `Opened the workflow repair pull request (${findings}):${pull}${details}`;
    case 'updated':
      return `Updated the workflow repair pull request (${findings}):${pull}${details}`;
    case 'unchanged':
      return `The workflow repair pull request is up to date (${findings}):${pull}${details}`;
    case 'closed':
      return `Nothing is left to repair: Keel closed its repair pull request.${pull}`;
    case 'nothing-to-repair':
      return `Nothing to repair: the workflows of this repository have no finding Keel can fix.${details}`;
    case 'dry-run':
      return `Dry run: Keel would repair ${findings}; no pull request was opened.${details}`;
    case 'disabled':
      return `Workflow repair is off for this repository: ${DISABLED_BY[outcome.reason ?? ''] ?? 'turned off'}.`;
    case 'deferred':
      return 'Keel is busy repairing this repository already; the repair pull request is updated shortly.';
  }
}
