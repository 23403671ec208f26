import type { Finding } from '../types.js';
import {
  parseWorkflow,
  type Expression,
  type Field,
  type Job,
  type Permissions,
  type Step,
  type Workflow,
} from './workflow-model.js';

const HARDENING =
  'https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions';
const LINKS = {
  injection: `${HARDENING}#understanding-the-risk-of-script-injections`,
  checkout: `${HARDENING}#understanding-the-risks-of-untrusted-code-checkout`,
  thirdParty: `${HARDENING}#using-third-party-actions`,
  secrets: `${HARDENING}#using-secrets`,
  syntax: 'https://docs.github.com/en/actions/writing-workflows/workflow-syntax-for-github-actions',
};

/** Triggers whose runs hold secrets and a write token while the pull request's code is reachable. */
const FORK_CODE_TRIGGERS = new Set(['pull_request_target', 'workflow_run']);
/** Triggers anyone (without write access) can fire with content they choose. */
const UNTRUSTED_TRIGGERS = new Set([
  'pull_request_target',
  'workflow_run',
  'issue_comment',
  'issues',
  'discussion',
  'discussion_comment',
  'pull_request_review',
  'pull_request_review_comment',
  'fork',
  'watch',
]);

const UNTRUSTED_INPUT =
  /\bgithub\.head_ref\b|\bgithub\.event\.(?:(?:issue|pull_request|discussion)\.(?:title|body)|(?:comment|review|review_comment)\.body|pages(?:\.\*|\[\d+\])?\.page_name|(?:commits(?:\.\*|\[\d+\])|head_commit|workflow_run\.head_commit)\.(?:message|(?:author|committer)\.(?:email|name))|pull_request\.head\.(?:ref|label|repo\.default_branch)|workflow_run\.(?:head_branch|display_title))\b/;
const HEAD_REF =
  /\bgithub\.event\.[\w.[\]*]*\b(?:head\.(?:sha|ref)|head_sha|head_branch|merge_commit_sha)\b|\bgithub\.head_ref\b|\brefs\/pull\/|\bgithub\.event\.pull_request\.head\.repo\.full_name\b/;
const RUN_CHECKOUT = /\bgh\s+pr\s+checkout\b/;
const RUN_GIT_FETCH = /\bgit\s+(?:checkout|fetch|switch|pull|worktree\s+add)\b/;
const RUN_PULL_REF = /\bpull\/[^\s/]+\/(?:head|merge)\b/;
const SECRET_REF = /\bsecrets(?:\.[A-Za-z_][\w-]*|\[)/;
const FULL_SHA = /^[0-9a-f]{40}$/i;

/**
 * Judges a changed workflow file (full content at the head SHA). Only findings on lines the pull
 * request adds are reported; a combination risk (trigger plus checkout) is reported on whichever
 * of its lines was added. Invalid YAML is always reported, on the line the parser names.
 */
export function findWorkflowRisks(file: string, content: string, addedLines: ReadonlySet<number>): Finding[] {
  const parsed = parseWorkflow(content);
  if (!parsed.ok) {
    return [
      {
        ...startFinding(file, parsed.line, LINKS.syntax),
        title: 'Workflow file is not valid YAML',
        explanation: `GitHub cannot run this workflow: ${parsed.message}`,
        fix: 'Fix the YAML at this line (indentation, quoting or a missing colon are the usual causes); `npx yaml valid < file` or an editor with YAML support shows the error.',
      },
    ];
  }
  const { workflow } = parsed;
  const pick = (candidates: readonly number[]): number | undefined => candidates.find((line) => addedLines.has(line));
  const forkTriggers = workflow.triggers.filter((t) => FORK_CODE_TRIGGERS.has(t.name));
  const untrusted = workflow.triggers.filter((t) => UNTRUSTED_TRIGGERS.has(t.name));
  const findings: Finding[] = [];

  for (const job of workflow.jobs) {
    if (job.uses) findings.push(...checkPinning(file, job.uses, pick));
    for (const step of job.steps) {
      if (step.uses) findings.push(...checkPinning(file, step.uses, pick));
      if (step.run) findings.push(...checkInjection(file, step.run, pick));
    }
    if (forkTriggers.length > 0) {
      findings.push(...checkForkCode(file, workflow, job, forkTriggers, pick));
    }
    if (job.permissions && untrusted.length > 0) {
      findings.push(...checkPermissions(file, job.permissions, `job "${job.id}"`, untrusted, pick));
    }
  }
  if (workflow.permissions && untrusted.length > 0) {
    findings.push(...checkPermissions(file, workflow.permissions, 'the workflow', untrusted, pick));
  }
  return findings.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}

type PickLine = (candidates: readonly number[]) => number | undefined;

function startFinding(
  file: string,
  line: number,
  link: string,
): Pick<Finding, 'rule' | 'severity' | 'file' | 'line' | 'link'> {
  return { rule: 'workflow-risks', severity: 'failure', file, line, link };
}

function checkPinning(file: string, uses: Field, pick: PickLine): Finding[] {
  const line = pick([uses.line]);
  if (line === undefined || !isUnpinnedThirdParty(uses.value)) return [];
  return [
    {
      ...startFinding(file, line, LINKS.thirdParty),
      title: 'Third-party action not pinned to a commit SHA',
      explanation: `\`${uses.value}\` points to a tag or branch its owner can move at any time; whatever it points to then runs with this workflow's token and secrets.`,
      fix: 'Pin the full 40-character commit SHA of a release you reviewed and keep the tag as a comment (`uses: owner/repo@<sha> # v1.2.3`); Dependabot keeps SHA pins up to date.',
      evidence: `uses: ${uses.value}`,
    },
  ];
}

export function isUnpinnedThirdParty(uses: string): boolean {
  if (uses.startsWith('./') || uses.startsWith('docker://')) return false;
  const at = uses.lastIndexOf('@');
  const owner = (at === -1 ? uses : uses.slice(0, at)).split('/')[0]?.toLowerCase();
  if (owner === 'actions' || owner === 'github') return false;
  return at === -1 || !FULL_SHA.test(uses.slice(at + 1));
}

function checkInjection(file: string, run: Field, pick: PickLine): Finding[] {
  return run.expressions
    .filter((expression) => UNTRUSTED_INPUT.test(expression.text) && pick([expression.line]) !== undefined)
    .map((expression) => ({
      ...startFinding(file, expression.line, LINKS.injection),
      title: 'Untrusted input expanded inside a run script',
      explanation: `\`\${{ ${expression.text} }}\` is replaced by text an outside contributor controls before the shell runs, so a crafted title, branch name or comment becomes commands executed with this job's token and secrets.`,
      fix: `Pass it through an environment variable and quote it: \`env: VALUE: \${{ ${expression.text} }}\` on the step, then use "$VALUE" in the script.`,
      evidence: `\${{ ${expression.text} }}`,
    }));
}

function checkForkCode(
  file: string,
  workflow: Workflow,
  job: Job,
  forkTriggers: Workflow['triggers'],
  pick: PickLine,
): Finding[] {
  const findings: Finding[] = [];
  const triggerLines = forkTriggers.map((t) => t.line);
  const triggerNames = [...new Set(forkTriggers.map((t) => t.name))].join(' and ');
  const checkouts = job.steps.map(findHeadCheckout);
  const firstCheckout = checkouts.findIndex((checkout) => checkout !== undefined);
  if (firstCheckout === -1) return findings;
  const checkoutLines: number[] = [];
  for (const checkout of checkouts) {
    if (checkout === undefined) continue;
    checkoutLines.push(checkout.line);
    const line = pick([checkout.line, ...triggerLines]);
    if (line === undefined) continue;
    findings.push({
      ...startFinding(file, line, LINKS.checkout),
      title: 'Privileged workflow checks out pull request code',
      explanation: `Job "${job.id}" runs on ${triggerNames} (with secrets and a write token) and checks out the pull request's head, so code from any fork can run with those privileges (a "pwn request").`,
      fix: 'Build and test fork code with the `pull_request` trigger instead; keep pull_request_target / workflow_run jobs to trusted code, treating anything from the pull request as data.',
      evidence: checkout.evidence,
    });
  }
  const exposed = [...workflow.env, ...job.env, ...job.steps.slice(firstCheckout).flatMap(listStepFields)]
    .flatMap((field) => field.expressions)
    .filter((expression) => SECRET_REF.test(expression.text));
  const line = pick([...exposed.map((e) => e.line), ...checkoutLines, ...triggerLines]);
  if (exposed.length > 0 && line !== undefined) {
    const names = [...new Set(exposed.map(getSecretName))].join(', ');
    findings.push({
      ...startFinding(file, line, LINKS.checkout),
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
  if (step.uses && /^actions\/checkout@/i.test(step.uses.value)) {
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

function checkPermissions(
  file: string,
  permissions: Permissions,
  scope: string,
  untrusted: Workflow['triggers'],
  pick: PickLine,
): Finding[] {
  if (permissions.writes.length === 0) return [];
  const line = pick([...permissions.writes.map((w) => w.line), ...untrusted.map((t) => t.line)]);
  if (line === undefined) return [];
  const grants = permissions.writes
    .map((w) => (w.scope === 'write-all' ? 'write-all' : `${w.scope}: write`))
    .join(', ');
  const triggers = [...new Set(untrusted.map((t) => t.name))].join(', ');
  return [
    {
      ...startFinding(file, line, LINKS.secrets),
      title: 'Write permissions on a workflow triggered by untrusted input',
      explanation: `${scope.charAt(0).toUpperCase()}${scope.slice(1)} grants ${grants} while it runs on ${triggers}, events anyone can trigger with content they choose; any injection or compromised step inherits that access.`,
      fix: 'Set `permissions: contents: read` at the top and grant the smallest write scope only to the job that needs it, keeping untrusted content out of that job.',
      evidence: grants,
    },
  ];
}
