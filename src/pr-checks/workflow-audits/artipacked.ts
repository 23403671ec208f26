import { findInput, usesAction, type Audit, type AuditFinding } from './context.js';

const WORKSPACE_PATH = /^\s*(?:\.\/?|\*|\$\{\{\s*github\.workspace\s*\}\}\/?)\s*$/m;

export const artipacked: Audit = ({ workflow }) =>
  workflow.jobs.flatMap((job) =>
    job.steps.flatMap((step, index): AuditFinding[] => {
      if (!step.uses || !usesAction(step, 'actions/checkout')) return [];
      if (findInput(step, 'persist-credentials')?.value === 'false') return [];
      const uploads = job.steps
        .slice(index + 1)
        .some(
          (later) =>
            usesAction(later, 'actions/upload-artifact') && WORKSPACE_PATH.test(findInput(later, 'path')?.value ?? ''),
        );
      return [
        {
          audit: 'artipacked',
          severity: uploads ? 'error' : undefined,
          lines: [step.uses.line],
          title: uploads ? 'Checkout credentials uploaded as an artifact' : 'Checkout keeps the token in .git/config',
          explanation: `actions/checkout writes the job's token into .git/config unless \`persist-credentials: false\`;${uploads ? ' this job then uploads the workspace, .git included, so anyone who can download the artifact gets the token.' : ' any later step (or artifact of the workspace) can read it.'}`,
          fix: 'Add `with: persist-credentials: false` to the checkout step (and pass a token explicitly to the one step that pushes, if any).',
          evidence: `uses: ${step.uses.value}`,
        },
      ];
    }),
  );
