import { listSteps, type Audit, type AuditFinding } from './context.js';

const WRITES_ENV = /\b(?:GITHUB_ENV|GITHUB_PATH)\b/;

export const githubEnv: Audit = ({ workflow, untrustedTriggers }) => {
  // A composite action cannot know which triggers its callers use.
  if (untrustedTriggers.length === 0 && workflow.kind !== 'action') return [];
  const where =
    untrustedTriggers.length > 0
      ? `runs on ${untrustedTriggers.map((t) => t.name).join(', ')}`
      : 'is a composite action any workflow can call';
  return listSteps(workflow).flatMap(({ step }): AuditFinding[] => {
    const run = step.run;
    if (!run) return [];
    const offset = run.value.split('\n').findIndex((line) => WRITES_ENV.test(line));
    if (offset === -1) return [];
    const line = run.isBlock ? run.valueLine + 1 + offset : run.line;
    return [
      {
        audit: 'github-env',
        lines: [run.line, line],
        title: 'GITHUB_ENV or GITHUB_PATH written on an untrusted trigger',
        explanation: `This file ${where}; a value written to GITHUB_ENV / GITHUB_PATH that an outsider influences (an artifact, a branch name) sets variables such as LD_PRELOAD or NODE_OPTIONS for every later step, which runs code with the job's secrets.`,
        fix: 'Keep untrusted data out of GITHUB_ENV and GITHUB_PATH: use step outputs, or validate the value strictly before writing it.',
        evidence: run.value.split('\n')[offset]?.trim(),
      },
    ];
  });
};
