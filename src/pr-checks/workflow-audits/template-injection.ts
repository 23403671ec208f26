import type { Field, Matrix } from '../rules/workflow-model.js';
import { listSteps, getActionName, type Audit, type AuditFinding } from './context.js';

/** Inputs of well-known actions that run their value as code (action → input names). */
export const CODE_INPUTS: Readonly<Record<string, readonly string[]>> = {
  'actions/github-script': ['script'],
  'azure/cli': ['inlineScript'],
  'azure/powershell': ['inlineScript'],
  'appleboy/ssh-action': ['script', 'script_stop'],
  'jannekem/run-python-script-action': ['script'],
  'nick-fields/retry': ['command'],
  'nick-invision/retry': ['command'],
  'wandalen/wretry.action': ['command'],
  'addnab/docker-run-action': ['run'],
  'mathiasvr/command-output': ['run'],
  'cloudposse/github-action-docker-compose-test-run': ['command'],
  'garygrossgarten/github-action-ssh': ['command'],
  'amadevus/pwsh-script': ['script'],
  'mikefarah/yq': ['cmd'],
  'jannekem/run-python-script': ['script'],
  'cardinalby/js-eval-action': ['expression'],
  'satackey/action-js-inline': ['script'],
};

const SEGMENT = String.raw`(?:\.\*|\[[^\]]*\]|\.\w+)`;
/** Contexts an outside contributor writes, as zizmor lists them (titles, bodies, branch names, commit messages…). */
const UNTRUSTED_CONTEXTS = new RegExp(
  [
    String.raw`github\.head_ref`,
    String.raw`github\.event\.(?:issue|pull_request|discussion)\.(?:title|body)`,
    String.raw`github\.event\.(?:comment|review|review_comment)\.body`,
    String.raw`github\.event\.(?:issue|pull_request|discussion)\.labels${SEGMENT}\.name`,
    String.raw`github\.event\.label\.name`,
    String.raw`github\.event\.pages${SEGMENT}\.page_name`,
    String.raw`github\.event\.(?:commits${SEGMENT}|head_commit|workflow_run\.head_commit)\.(?:message|(?:author|committer)\.(?:email|name))`,
    String.raw`github\.event\.pull_request\.head\.(?:ref|label|repo\.(?:default_branch|description|homepage))`,
    String.raw`github\.event\.workflow_run\.(?:head_branch|display_title|pull_requests${SEGMENT}\.head\.ref|head_repository\.description)`,
    String.raw`github\.event\.release\.(?:name|body|tag_name)`,
    String.raw`github\.event\.(?:discussion|issue)\.user\.(?:name|bio)`,
    String.raw`github\.event\.client_payload${SEGMENT}*`,
  ]
    .map((pattern) => `(?:${pattern})`)
    .join('|') + String.raw`(?![\w-])`,
  'i',
);
/** A whole event object serialized (`toJSON(github.event)`) carries every untrusted field. */
const WHOLE_EVENT =
  /toJSON\(\s*github\.event(?:\.(?:issue|pull_request|comment|review|discussion|head_commit|commits))?\s*\)/i;
/** Expressions that evaluate to a boolean or a number are not injectable. */
const NON_STRING = /^!|==|!=|<=|>=|[<>]|^(?:contains|startsWith|endsWith)\(/i;

/** What an expression brings into code, and whether it is certainly untrusted (an error) or only possibly (a warning). */
interface Tainted {
  context: string;
  possibly?: boolean;
}

export function findUntrustedContext(expression: string, inAction = false): string | undefined {
  if (NON_STRING.test(expression.trim())) return undefined;
  const found = UNTRUSTED_CONTEXTS.exec(expression)?.[0] ?? WHOLE_EVENT.exec(expression)?.[0];
  return found ?? (inAction ? ACTION_INPUT.exec(expression)?.[0] : undefined);
}

/** `(a || b).field`: the field of either operand; one of them untrusted is an error, one under github.event a warning. */
const COMPOUND = /\(([^()]+)\)((?:\.[\w-]+|\.\*|\[[^\]]*\])+)/g;

/**
 * Event fields that hold a number or a boolean (zizmor's context-capabilities table rates them
 * `fixed`): counts, ids, flags. A commit's `id` is its SHA, a string, so it is left out.
 */
const NUMBER_OR_BOOLEAN_FIELD =
  /(?<!head_commit|commits\.\*|commits\[[^\]]*\])\.(?:number|id|run_number|run_attempt|run_id|additions|deletions|changed_files|commits|comments|review_comments|draft|locked|merged|mergeable|rebaseable|maintainer_can_modify|fork|private|size|forks_count|stargazers_count|watchers_count|open_issues_count)$/i;

/**
 * zizmor leaves `(a || b).field` to a low-confidence informational finding (its parser does not
 * expand the branches); Keel expands them: an untrusted branch is an error, branches that all end in
 * a number or boolean are nothing (not injectable), anything else under github.event a warning.
 */
function findCompoundContext(expression: string, inAction: boolean): Tainted | undefined {
  if (NON_STRING.test(expression.trim())) return undefined;
  for (const match of expression.matchAll(COMPOUND)) {
    const operands = (match[1] ?? '').split(/\|\||&&/).map((operand) => `${operand.trim()}${match[2] ?? ''}`);
    const untrusted = operands.map((operand) => findUntrustedContext(operand, inAction)).find(Boolean);
    if (untrusted) return { context: untrusted };
    if (operands.every((operand) => NUMBER_OR_BOOLEAN_FIELD.test(operand))) continue;
    if (operands.some((operand) => /^github\.event\b/.test(operand))) return { context: match[0], possibly: true };
  }
  return undefined;
}

function findDerived(expression: string): Tainted | undefined {
  const found = NON_STRING.test(expression.trim()) ? undefined : DERIVED_OUTPUT.exec(expression)?.[0];
  return found ? { context: found, possibly: true } : undefined;
}

/**
 * `matrix.NAME` takes the values the job's matrix gives NAME: an untrusted context among them is an
 * error; any other expression (or a matrix computed as a whole) makes them unknown, a warning as in zizmor.
 */
function findMatrixContext(expression: string, matrix: Matrix | undefined, inAction: boolean): Tainted | undefined {
  if (!matrix || NON_STRING.test(expression.trim())) return undefined;
  for (const match of expression.matchAll(/\bmatrix\.([\w-]+)/g)) {
    const name = match[1] ?? '';
    const values = matrix.values.get(name) ?? [];
    const expressions = values.flatMap((field) => field.expressions.map((e) => e.text));
    const untrusted = expressions.map((text) => findUntrustedContext(text, inAction)).find(Boolean);
    if (untrusted) return { context: `${untrusted}, through matrix.${name}` };
    if (expressions.length > 0 || (values.length === 0 && matrix.dynamic.length > 0)) {
      return { context: `matrix.${name}`, possibly: true };
    }
  }
  return undefined;
}

/** Outputs of earlier steps or jobs: often derived from untrusted input, so a warning. */
const DERIVED_OUTPUT = /\b(?:steps|needs)\.[\w-]+\.outputs\b/;
/** In a composite action, its `inputs.*` come from whichever workflow calls it. */
const ACTION_INPUT = /\binputs\.[\w-]+|\binputs\[/;

export const templateInjection: Audit = ({ workflow }) => {
  const findings: AuditFinding[] = [];
  const isAction = workflow.kind === 'action';
  for (const { job, step } of listSteps(workflow)) {
    const direct = (text: string): Tainted | undefined => {
      const context = findUntrustedContext(text, isAction);
      return context ? { context } : findCompoundContext(text, isAction);
    };
    /** An `env.NAME` expression is as untrusted as the value NAME has there (step over job over workflow). */
    const resolveEnv = (text: string): Tainted | undefined =>
      [...text.matchAll(/\benv\.([\w-]+)/g)]
        .flatMap(
          (match) =>
            [step.env, job.env, workflow.env]
              .find((level) => level.some((f) => f.key === match[1]))
              ?.filter((f) => f.key === match[1]) ?? [],
        )
        .flatMap((field) => field.expressions.map((e) => direct(e.text) ?? findDerived(e.text)))
        .find(Boolean);
    const check = (field: Field, where: string) =>
      checkField(
        field,
        where,
        (text) =>
          direct(text) ?? resolveEnv(text) ?? findMatrixContext(text, job.matrix, isAction) ?? findDerived(text),
      );
    if (step.run) findings.push(...check(step.run, 'run script'));
    const action = step.uses && getActionName(step.uses.value);
    const inputs = action ? CODE_INPUTS[action] : undefined;
    if (!inputs) continue;
    for (const field of step.with) {
      if (inputs.includes(field.key)) findings.push(...check(field, `\`${field.key}:\` of ${action}`));
    }
  }
  return findings;
};

function checkField(field: Field, where: string, findContext: (text: string) => Tainted | undefined): AuditFinding[] {
  if (!field.isString) return [];
  return field.expressions.flatMap((expression) => {
    const tainted = findContext(expression.text);
    if (!tainted) return [];
    const { context } = tainted;
    return [
      {
        audit: 'template-injection' as const,
        ...(tainted.possibly ? { severity: 'warning' as const } : {}),
        lines: [expression.line],
        title: `Untrusted input expanded inside a ${where.startsWith('run') ? 'run script' : 'script input'}`,
        explanation: tainted.possibly
          ? `\`\${{ ${expression.text} }}\` in the ${where} is replaced by a value Keel cannot prove safe (${context}: computed from other expressions) before the code runs; if any part of it comes from a title, branch name or comment, it becomes commands executed with this job's token and secrets.`
          : `\`\${{ ${expression.text} }}\` in the ${where} is replaced by text an outside contributor controls (${context}) before the code runs, so a crafted title, branch name or comment becomes commands executed with this job's token and secrets.`,
        fix: `Pass it through an environment variable and quote it: \`env: VALUE: \${{ ${expression.text} }}\` on the step, then use "$VALUE" (or process.env.VALUE) in the code.`,
        evidence: `\${{ ${expression.text} }}`,
      },
    ];
  });
}
