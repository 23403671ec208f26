import type { Field, Job, Step, Workflow } from '../rules/workflow-model.js';
import type { ActionFacts } from './action-facts.js';
import type { AuditId, AuditSeverity } from './catalog.js';

/** What an audit sees: the parsed workflow and the facts several audits share. */
export interface AuditContext {
  workflow: Workflow;
  /** Triggers anyone without write access can fire with content they choose. */
  untrustedTriggers: Workflow['triggers'];
  /** `pull_request_target` and `workflow_run`: secrets and a write token next to the PR's code. */
  privilegedTriggers: Workflow['triggers'];
  publicRepository: boolean;
  /** What GitHub said about the actions used; without it the audits that need it report nothing. */
  actionFacts?: ActionFacts;
}

/** A finding before it is matched to the added lines: the first added line of `lines` is reported. */
export interface AuditFinding {
  audit: AuditId;
  lines: number[];
  title: string;
  explanation: string;
  fix: string;
  evidence?: string;
  /** Overrides the audit's default severity (e.g. raised when the PR's code runs). */
  severity?: AuditSeverity;
  /** Overrides the audit's guidance link (e.g. the advisory itself). */
  link?: string;
}

export type Audit = (ctx: AuditContext) => AuditFinding[];

export const PRIVILEGED_TRIGGERS = new Set(['pull_request_target', 'workflow_run']);
export const UNTRUSTED_TRIGGERS = new Set([
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

/** Every step of every job, with its job; a step reached through a YAML alias comes once. */
export function listSteps(workflow: Workflow): { job: Job; step: Step }[] {
  const seen = new Set<number>();
  return workflow.jobs.flatMap((job) =>
    job.steps.flatMap((step) => {
      if (step.offset >= 0 && seen.has(step.offset)) return [];
      seen.add(step.offset);
      return [{ job, step }];
    }),
  );
}

/** `owner/repo` (lower case) of a `uses:` value, or undefined for local and docker actions. */
export function getActionName(uses: string): string | undefined {
  if (uses.startsWith('./') || uses.startsWith('docker://') || uses.startsWith('.')) return undefined;
  const path = uses.split('@')[0] ?? '';
  return path.split('/').slice(0, 2).join('/').toLowerCase();
}

export function getRef(uses: string): string | undefined {
  const at = uses.lastIndexOf('@');
  return at === -1 ? undefined : uses.slice(at + 1);
}

export function usesAction(step: Step, name: string): boolean {
  return step.uses !== undefined && getActionName(step.uses.value) === name;
}

export function findInput(step: Step, key: string): Field | undefined {
  return step.with.find((field) => field.key === key);
}
