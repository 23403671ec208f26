import type { Audit, AuditFinding } from './context.js';

export const secretsInherit: Audit = ({ workflow }) =>
  workflow.jobs.flatMap((job): AuditFinding[] =>
    job.uses && job.secrets?.value === 'inherit'
      ? [
          {
            audit: 'secrets-inherit',
            lines: [job.uses.line, job.secrets.line],
            title: 'Reusable workflow receives every secret',
            explanation: `Job "${job.id}" calls \`${job.uses.value}\` with \`secrets: inherit\`, handing it all of the repository's secrets instead of the ones it needs.`,
            fix: 'Pass only the secrets the called workflow uses: `secrets: { NAME: ${{ secrets.NAME }} }`.',
            evidence: 'secrets: inherit',
          },
        ]
      : [],
  );
