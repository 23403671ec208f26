import { listSteps, type Audit, type AuditFinding } from './context.js';

export const insecureCommands: Audit = ({ workflow }) =>
  [...workflow.env, ...workflow.jobs.flatMap((job) => job.env), ...listSteps(workflow).flatMap(({ step }) => step.env)]
    .filter((field) => field.key === 'ACTIONS_ALLOW_UNSECURE_COMMANDS' && !/^(?:false|0|)$/i.test(field.value.trim()))
    .map((field): AuditFinding => ({
      audit: 'insecure-commands',
      lines: [field.line],
      title: 'Insecure workflow commands re-enabled',
      explanation:
        'ACTIONS_ALLOW_UNSECURE_COMMANDS turns the deprecated `::set-env` and `::add-path` commands back on, so anything a step prints (a log line, a test name) can set environment variables and run code in later steps.',
      fix: 'Remove ACTIONS_ALLOW_UNSECURE_COMMANDS and write to $GITHUB_ENV / $GITHUB_PATH instead.',
      evidence: `ACTIONS_ALLOW_UNSECURE_COMMANDS: ${field.value}`,
    }));
