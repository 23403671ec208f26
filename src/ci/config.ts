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
import picomatch from 'picomatch';
import { z } from 'zod';

export const CiConfigSchema = z.strictObject({
  comment: z.boolean().default(true),
  trackDefaultBranch: z.boolean().default(true),
  /** Workflow names or workflow file paths; `*` matches any characters, `?` one. */
  ignoreWorkflows: z.array(z.string().min(1)).default([]),
});

export type CiConfig = z.output<typeof CiConfigSchema>;

export const DEFAULT_CI_CONFIG: CiConfig = CiConfigSchema.parse({});

const NAME_GLOB_OPTIONS: picomatch.PicomatchOptions = { bash: true, nocase: true, dot: true, noextglob: true };

/**
 * A whole-string glob: `*` any characters (slashes included), `?` one; case-insensitive. Every
 * other character is literal (picomatch's brackets, braces and extglobs are escaped).
 */
export function compileNameGlob(pattern: string): (name: string) => boolean {
  return picomatch(pattern.trim().replace(/[\\[\]{}()!+@]/g, '\\$&'), NAME_GLOB_OPTIONS);
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
    .some((isMatch) => candidates.some((candidate) => isMatch(candidate)));
}
