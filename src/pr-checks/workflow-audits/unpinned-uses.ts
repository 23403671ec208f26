import type { Field } from '../rules/workflow-model.js';
import { listSteps, type Audit, type AuditFinding } from './context.js';

const FULL_SHA = /^[0-9a-f]{40}$/i;

/** True for an action or reusable workflow (not local, not docker) not pinned to a full commit SHA. */
function isUnpinned(uses: string): boolean {
  const value = uses.trim();
  if (value.startsWith('./') || value.startsWith('docker://')) return false;
  const at = value.lastIndexOf('@');
  return at === -1 || !FULL_SHA.test(value.slice(at + 1));
}

/** GitHub's own actions (actions/*, github/*): a moved tag there is a smaller risk, so a warning. */
function isFirstParty(uses: string): boolean {
  const owner = uses.trim().split('/')[0]?.toLowerCase();
  return owner === 'actions' || owner === 'github';
}

/** True for a third-party action or reusable workflow not pinned to a full commit SHA. */
export function isUnpinnedThirdParty(uses: string): boolean {
  return isUnpinned(uses) && (!isFirstParty(uses) || !uses.includes('@'));
}

export const unpinnedUses: Audit = ({ workflow }) => {
  const uses: Field[] = [
    ...workflow.jobs.flatMap((job) => (job.uses ? [job.uses] : [])),
    ...listSteps(workflow).flatMap(({ step }) => (step.uses ? [step.uses] : [])),
  ];
  return uses
    .filter((field) => isUnpinned(field.value))
    .map((field): AuditFinding => ({
      audit: 'unpinned-uses',
      severity: isUnpinnedThirdParty(field.value) ? 'error' : 'warning',
      lines: [field.line],
      title: 'Third-party action not pinned to a commit SHA',
      explanation: `\`${field.value}\` points to a tag or branch its owner can move at any time; whatever it points to then runs with this workflow's token and secrets.`,
      fix: 'Pin the full 40-character commit SHA of a release you reviewed and keep the tag as a comment (`uses: owner/repo@<sha> # v1.2.3`); Dependabot keeps SHA pins up to date.',
      evidence: `uses: ${field.value.trim()}`,
    }));
};
