import type { Field } from '../rules/workflow-model.js';
import { listSteps, type Audit, type AuditFinding } from './context.js';

const LITERAL_CONTAINS = /contains\(\s*'[^']*'\s*,\s*(?:github|env|inputs|steps|needs|vars)\.[\w.[\]*-]+\s*\)/i;
const WHOLE_EXPRESSION = /^\s*\$\{\{[\s\S]*\}\}$/;

function listConditions(workflow: Parameters<Audit>[0]['workflow']): Field[] {
  return [
    ...workflow.jobs.flatMap((job) => (job.if ? [job.if] : [])),
    ...listSteps(workflow).flatMap(({ step }) => (step.if ? [step.if] : [])),
  ];
}

export const unsoundContains: Audit = ({ workflow }) =>
  listConditions(workflow).flatMap((condition): AuditFinding[] => {
    const match = LITERAL_CONTAINS.exec(condition.value);
    return match
      ? [
          {
            audit: 'unsound-contains',
            lines: [condition.line],
            title: 'contains() on a string matches any substring',
            explanation: `\`${match[0]}\` is a substring test, so a branch named \`ma\` or \`refs/heads/m\` passes a check meant for \`main\`.`,
            fix: 'Compare exactly, or pass a list: `contains(fromJSON(\'["refs/heads/main"]\'), github.ref)`.',
            evidence: match[0],
          },
        ]
      : [];
  });

/** An `if:` whose text is more than one `${{ }}` (a block scalar's newline included) is a non-empty string: always true. */
export const unsoundCondition: Audit = ({ workflow }) =>
  listConditions(workflow).flatMap((condition): AuditFinding[] =>
    condition.isString && condition.expressions.length > 0 && !WHOLE_EXPRESSION.test(condition.value.trimStart())
      ? [
          {
            audit: 'unsound-condition',
            lines: [condition.line],
            title: 'Condition is always true',
            explanation:
              'This `if:` mixes `${{ }}` with other text (a block scalar adds a trailing newline), so it evaluates to a non-empty string, which is always true.',
            fix: 'Write the whole condition inside one `${{ }}`, or without `${{ }}`; use `>-` rather than `|` for block scalars.',
            evidence: `if: ${condition.value.trim()}`,
          },
        ]
      : [],
  );
