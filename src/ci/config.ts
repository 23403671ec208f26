/**
 * The `ci` section of `.github/keel.yml`:
 *
 * ```yaml
 * ci:
 *   comment: true             # one comment per pull request, kept up to date
 *   trackDefaultBranch: true  # one issue per workflow while the default branch is red
 *   ignoreWorkflows: [Nightly*, .github/workflows/experimental.yml]
 * ```
 *
 * Unknown keys are errors, so typos surface.
 */
import { z } from 'zod';

export const CiConfigSchema = z.strictObject({
  comment: z.boolean().default(true),
  trackDefaultBranch: z.boolean().default(true),
  /** Workflow names or workflow file paths; `*` matches any characters, `?` one. */
  ignoreWorkflows: z.array(z.string().min(1)).default([]),
});

export type CiConfig = z.output<typeof CiConfigSchema>;

export const DEFAULT_CI_CONFIG: CiConfig = CiConfigSchema.parse({});

/** A whole-string glob: `*` any characters (slashes included), `?` one; case-insensitive. */
export function compileNameGlob(pattern: string): RegExp {
  const body = [...pattern.trim()]
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\/]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, 'i');
}

export interface WorkflowIdentity {
  name: string;
  /** `.github/workflows/ci.yml`; absent when unknown. */
  path?: string | undefined;
}

/** True when `ignoreWorkflows` names the workflow (by name, file path or file name). */
export function isWorkflowIgnored(config: CiConfig, workflow: WorkflowIdentity): boolean {
  if (config.ignoreWorkflows.length === 0) return false;
  const candidates = [workflow.name];
  if (workflow.path) candidates.push(workflow.path, workflow.path.split('/').pop() ?? workflow.path);
  return config.ignoreWorkflows
    .map(compileNameGlob)
    .some((glob) => candidates.some((candidate) => glob.test(candidate)));
}
