import type { Field } from '../rules/workflow-model.js';
import { listSteps, type Audit, type AuditFinding } from './context.js';

const ACTOR = String.raw`github(?:\.|\[')(?:actor|triggering_actor)(?:'\])?`;
const ACTOR_ID = String.raw`github(?:\.|\[')(?:actor_id|triggering_actor_id)(?:'\])?`;
const BOT_ACTOR = new RegExp(
  `${ACTOR}\\s*==\\s*'[^']*\\[bot\\]'|'[^']*\\[bot\\]'\\s*==\\s*${ACTOR}|${ACTOR_ID}\\s*==\\s*'?\\d+'?`,
  'i',
);
const SPOOFABLE = new Set([
  'pull_request_target',
  'workflow_run',
  'issue_comment',
  'pull_request_review',
  'pull_request_review_comment',
]);

export const botConditions: Audit = ({ workflow }) => {
  const triggers = workflow.triggers.filter((t) => SPOOFABLE.has(t.name));
  if (triggers.length === 0) return [];
  const conditions: Field[] = [
    ...workflow.jobs.flatMap((job) => (job.if ? [job.if] : [])),
    ...listSteps(workflow).flatMap(({ step }) => (step.if ? [step.if] : [])),
  ];
  return conditions.flatMap((condition): AuditFinding[] => {
    const match = BOT_ACTOR.exec(condition.value);
    if (!match) return [];
    return [
      {
        audit: 'bot-conditions',
        lines: [condition.line],
        title: 'Spoofable bot check on a privileged trigger',
        explanation: `\`${match[0]}\` is true whenever the bot last acted (for example it pushed to the pull request), even if the run was caused by someone else, so anyone can get this job run with its privileges.`,
        fix: "Check the event's author instead (`github.event.pull_request.user.login == 'dependabot[bot]'`), or avoid the privileged trigger.",
        evidence: match[0],
      },
    ];
  });
};
