import type { Field } from '../rules/workflow-model.js';
import { ARCHIVED_ACTIONS } from './archived-actions.js';
import { getActionName, listSteps, type Audit, type AuditFinding } from './context.js';

export const archivedUses: Audit = ({ workflow }) => {
  const uses: Field[] = [
    ...workflow.jobs.flatMap((job) => (job.uses ? [job.uses] : [])),
    ...listSteps(workflow).flatMap(({ step }) => (step.uses ? [step.uses] : [])),
  ];
  return uses.flatMap((field): AuditFinding[] => {
    const name = getActionName(field.value);
    if (!name || !ARCHIVED_ACTIONS.has(name)) return [];
    return [
      {
        audit: 'archived-uses',
        lines: [field.line],
        title: 'Action from an archived repository',
        explanation: `${name} is archived: it gets no more fixes, security ones included.`,
        fix: 'Replace it with a maintained action (or a few lines of shell doing the same).',
        evidence: `uses: ${field.value}`,
      },
    ];
  });
};
