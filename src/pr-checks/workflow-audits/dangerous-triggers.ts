import type { Expression, Field, Job, Step } from '../rules/workflow-model.js';
import { usesAction, type Audit, type AuditContext, type AuditFinding } from './context.js';

const HEAD_REF =
  /\bgithub\.event\.[\w.[\]*]*\b(?:head\.(?:sha|ref)|head_sha|head_branch|merge_commit_sha)\b|\bgithub\.head_ref\b|\brefs\/pull\/|\bgithub\.event\.pull_request\.head\.repo\.full_name\b|\bgithub\.event\.workflow_run\.head_repository\.full_name\b/;
const RUN_CHECKOUT = /\bgh\s+pr\s+checkout\b/;
const RUN_GIT_FETCH = /\bgit\s+(?:checkout|fetch|switch|pull|worktree\s+add)\b/;
const RUN_PULL_REF = /\bpull\/[^\s/]+\/(?:head|merge)\b/;
const SECRET_REF = /\bsecrets(?:\.[A-Za-z_][\w-]*|\[)/;

export const dangerousTriggers: Audit = (ctx) => {
  const findings: AuditFinding[] = ctx.privilegedTriggers.map((trigger) => ({
    audit: 'dangerous-triggers',
    lines: [trigger.line],
    title: `Workflow runs on ${trigger.name}`,
    explanation: `${trigger.name} runs with the repository's secrets and a write token on events a fork can cause; it is safe only while no job checks out, builds or otherwise trusts anything from the pull request.`,
    fix: 'Prefer `pull_request` (no secrets for forks); if this trigger is needed, keep its jobs to trusted code and treat pull request content as data.',
    evidence: `on: ${trigger.name}`,
  }));
  if (ctx.privilegedTriggers.length === 0) return findings;
  for (const job of ctx.workflow.jobs) findings.push(...checkForkCode(ctx, job));
  return findings;
};

function checkForkCode(ctx: AuditContext, job: Job): AuditFinding[] {
  const findings: AuditFinding[] = [];
  const triggerLines = ctx.privilegedTriggers.map((t) => t.line);
  const triggerNames = [...new Set(ctx.privilegedTriggers.map((t) => t.name))].join(' and ');
  const checkouts = job.steps.map(findHeadCheckout);
  const firstCheckout = checkouts.findIndex((checkout) => checkout !== undefined);
  if (firstCheckout === -1) return findings;
  const checkoutLines: number[] = [];
  for (const checkout of checkouts) {
    if (checkout === undefined) continue;
    checkoutLines.push(checkout.line);
    findings.push({
      audit: 'dangerous-triggers',
      severity: 'error',
      lines: [checkout.line, ...triggerLines],
      title: 'Privileged workflow checks out pull request code',
      explanation: `Job "${job.id}" runs on ${triggerNames} (with secrets and a write token) and checks out the pull request's head, so code from any fork can run with those privileges (a "pwn request").`,
      fix: 'Build and test fork code with the `pull_request` trigger instead; keep pull_request_target / workflow_run jobs to trusted code, treating anything from the pull request as data.',
      evidence: checkout.evidence,
    });
  }
  const exposed = [...ctx.workflow.env, ...job.env, ...job.steps.slice(firstCheckout).flatMap(listStepFields)]
    .flatMap((field) => field.expressions)
    .filter((expression) => SECRET_REF.test(expression.text));
  if (exposed.length > 0) {
    const names = [...new Set(exposed.map(getSecretName))].join(', ');
    findings.push({
      audit: 'dangerous-triggers',
      severity: 'error',
      lines: [...exposed.map((e) => e.line), ...checkoutLines, ...triggerLines],
      title: 'Secrets reach steps that run fork code',
      explanation: `Job "${job.id}" checks out the pull request's head and then hands ${names} to its steps; code from a fork can read them.`,
      fix: 'Move the steps that need secrets to a job or workflow that never checks out or runs pull request code.',
      evidence: names,
    });
  }
  return findings;
}

function listStepFields(step: Step): Field[] {
  return [...(step.run ? [step.run] : []), ...step.with, ...step.env];
}

function getSecretName(expression: Expression): string {
  return /\bsecrets\.([A-Za-z_][\w-]*)/.exec(expression.text)?.[0] ?? 'secrets';
}

/** Where a step checks out or fetches the pull request's head, if it does. */
function findHeadCheckout(step: Step): { line: number; evidence: string } | undefined {
  if (usesAction(step, 'actions/checkout')) {
    const field = step.with.find((f) => (f.key === 'ref' || f.key === 'repository') && HEAD_REF.test(f.value));
    return field && { line: field.line, evidence: `${field.key}: ${field.value}` };
  }
  const run = step.run;
  if (!run) return undefined;
  const command = run.value
    .split('\n')
    .find(
      (cmd) => RUN_CHECKOUT.test(cmd) || (RUN_GIT_FETCH.test(cmd) && (HEAD_REF.test(cmd) || RUN_PULL_REF.test(cmd))),
    );
  return command === undefined ? undefined : { line: run.line, evidence: command.trim() };
}
