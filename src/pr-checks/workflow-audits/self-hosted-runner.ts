import type { Audit, AuditFinding } from './context.js';

export const selfHostedRunner: Audit = ({ workflow, publicRepository }) => {
  if (!publicRepository) return [];
  return workflow.jobs.flatMap((job): AuditFinding[] => {
    const label = job.runsOn.find((field) => field.value.toLowerCase() === 'self-hosted');
    return label
      ? [
          {
            audit: 'self-hosted-runner',
            lines: [label.valueLine, label.line],
            title: 'Public repository runs a job on a self-hosted runner',
            explanation: `Job "${job.id}" runs on a self-hosted runner; in a public repository, workflows from forks can reach it and persist on the machine between runs.`,
            fix: 'Use GitHub-hosted runners for public repositories, or ephemeral, isolated self-hosted runners that never serve fork pull requests.',
            evidence: 'runs-on: self-hosted',
          },
        ]
      : [];
  });
};
