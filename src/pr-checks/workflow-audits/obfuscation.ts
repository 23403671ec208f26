import type { Field } from '../rules/workflow-model.js';
import { listSteps, type Audit, type AuditFinding } from './context.js';

const OBFUSCATED_PATH = /\/\/|\/\.\.?(?:\/|@|$)|\/@/;
/** A context reference (`github.x`, `env['y']`, `matrix.z`…) once string literals are removed. */
const CONTEXT_REFERENCE = /\b(?:github|env|vars|secrets|inputs|steps|needs|matrix|strategy|job|jobs|runner)\b/i;

/** An expression made only of literals (`${{ 'a' }}`, `${{ format('{0}', 'x') }}`) hides a constant. */
function isConstant(expression: string): boolean {
  const withoutStrings = expression.replace(/'(?:[^']|'')*'/g, "''");
  return (
    !CONTEXT_REFERENCE.test(withoutStrings) &&
    !/\b(?:hashFiles|success|failure|always|cancelled)\(/i.test(withoutStrings)
  );
}

export const obfuscation: Audit = ({ workflow }) => {
  const uses: Field[] = [
    ...workflow.jobs.flatMap((job) => (job.uses ? [job.uses] : [])),
    ...listSteps(workflow).flatMap(({ step }) => (step.uses ? [step.uses] : [])),
  ];
  const constants = listSteps(workflow).flatMap(({ step }) =>
    [...(step.run ? [step.run] : []), ...step.with, ...step.env].flatMap((field) =>
      field.expressions
        .filter((expression) => isConstant(expression.text))
        .map((expression): AuditFinding => ({
          audit: 'obfuscation',
          lines: [expression.line],
          title: 'Expression that only hides a constant',
          explanation: `\`\${{ ${expression.text} }}\` uses no context, so it always yields the same value; writing it as an expression only makes the workflow harder to review.`,
          fix: 'Write the value itself.',
          evidence: `\${{ ${expression.text} }}`,
        })),
    ),
  );
  // `with: ${{ fromJSON(...) }}`: the action's inputs are computed, so no audit can read them.
  const computedInputs = listSteps(workflow).flatMap(({ step }): AuditFinding[] => {
    const [whole] = step.with;
    if (!step.uses || step.with.length !== 1 || whole?.key !== '' || whole.expressions.length === 0) return [];
    return [
      {
        audit: 'obfuscation',
        lines: [whole.line],
        title: 'Action inputs given as one expression',
        explanation: `\`with: ${whole.value}\` computes every input of ${step.uses.value} at run time, so neither a reviewer nor an audit can tell what the action receives.`,
        fix: 'List the inputs under `with:` one by one, each with its own value or expression.',
        evidence: `with: ${whole.value}`,
      },
    ];
  });
  return [
    ...constants,
    ...computedInputs,
    ...uses
      .filter((field) => !field.value.startsWith('docker://') && OBFUSCATED_PATH.test(field.value.replace(/^\.\//, '')))
      .map((field): AuditFinding => ({
        audit: 'obfuscation',
        lines: [field.line],
        title: 'Action path written to hide what it uses',
        explanation: `\`${field.value}\` contains empty, \`.\` or \`..\` path segments, which make a reviewer misread which action or file runs.`,
        fix: 'Write the plain path: `owner/repo/subdir@ref`.',
        evidence: `uses: ${field.value}`,
      })),
  ];
};
