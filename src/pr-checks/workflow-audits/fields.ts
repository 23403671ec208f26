import type { Field, Workflow } from '../rules/workflow-model.js';
import { listSteps } from './context.js';

/** Every scalar field that can hold an expression: env, with, run, if and secrets at every level. */
export function listAllFields(workflow: Workflow): Field[] {
  const optional = (...fields: (Field | undefined)[]): Field[] => fields.filter((f): f is Field => f !== undefined);
  return [
    ...workflow.env,
    ...workflow.jobs.flatMap((job) => [...job.env, ...job.with, ...optional(job.if, job.secrets)]),
    ...listSteps(workflow).flatMap(({ step }) => [...step.env, ...step.with, ...optional(step.run, step.if)]),
  ];
}
