import { satisfies } from '../../capabilities.js';
import { classifyGitHubError } from '../../github/errors.js';
import { requiredScopes } from '../../github/token-scope.js';
import { failedCheckFromError, passedCheck, skippedCheck } from './checks/check-result.js';
import type {
  CheckResult,
  OnWriteStep,
  PlannedRequest,
  PlannedStep,
  ProbotOctokitInstance,
  WriteCheckName,
} from './types.js';

export interface RunWriteRoundTripOptions {
  steps: readonly PlannedStep[];
  dryRun: boolean;
  /** Absent when no installation token could be minted. */
  installationOctokit: ProbotOctokitInstance | undefined;
  apiHost: string;
  /** What the installation grants, and what the round trip's token was granted. */
  granted?: Record<string, string>;
  tokenPermissions?: Record<string, string>;
  /** Told as each step starts and ends (a real run only), so a page can show it as it happens. */
  onStep?: OnWriteStep;
}

interface Grants {
  installation: Record<string, string>;
  token: Record<string, string>;
}

const PLACEHOLDER = /\{(\w+)\}/g;

function describeRequests(step: PlannedStep): string {
  return step.requests.map((request) => `${request.method} ${request.path}`).join(', ');
}

function neededKeys(request: PlannedRequest): string[] {
  const texts = [request.path, ...Object.values(request.body ?? {}).map(String)];
  const fromPlaceholders = texts.flatMap((text) => [...text.matchAll(PLACEHOLDER)].map((m) => m[1] ?? ''));
  return [...fromPlaceholders, ...(request.requires ?? [])];
}

function fill(text: string, context: ReadonlyMap<string, string>): string {
  return text.replace(PLACEHOLDER, (whole, key: string) => context.get(key) ?? whole);
}

function pick(data: unknown, path: string): string | undefined {
  let current = data;
  for (const part of path.split('.')) {
    if (!current || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return typeof current === 'string' || typeof current === 'number' ? String(current) : undefined;
}

async function send(
  octokit: ProbotOctokitInstance,
  request: PlannedRequest,
  context: Map<string, string>,
  apiHost: string,
): Promise<void> {
  const body = Object.fromEntries(
    Object.entries(request.body ?? {}).map(([key, value]) => [
      key,
      typeof value === 'string' ? fill(value, context) : value,
    ]),
  );
  try {
    const { data } = await octokit.request(`${request.method} ${fill(request.path, context)}`, body);
    for (const [key, path] of Object.entries(request.captures ?? {})) {
      const value = pick(data, path);
      if (value !== undefined) context.set(key, value);
    }
  } catch (error) {
    const status = classifyGitHubError(error, apiHost).status;
    if (status === undefined || !request.tolerate?.includes(status)) throw error;
  }
}

/**
 * A refusal for a permission the installation grants but the round trip's token lacks is Keel's
 * own mistake (it narrowed the token too far), not a grant an owner must accept. Returns the
 * permissions concerned, or an empty list when the refusal is something else.
 */
function findNarrowedTooFar(error: unknown, method: string, path: string, grants: Grants): string[] {
  const classified = classifyGitHubError(error);
  const named = /without `?(\w+)`? permission/i.exec(classified.message)?.[1];
  if (classified.status !== 403 && !named) return [];
  const needed = named ? [named] : requiredScopes(method, path).map((scope) => scope.permission);
  return needed.filter(
    (permission) =>
      satisfies(grants.installation[permission], 'write') && !satisfies(grants.token[permission], 'write'),
  );
}

/** Sends a step's requests in order. Cleanup leaves out requests whose inputs were never created. */
async function runStep(
  step: PlannedStep,
  octokit: ProbotOctokitInstance,
  context: Map<string, string>,
  apiHost: string,
  grants: Grants,
): Promise<CheckResult> {
  let sent = 0;
  for (const request of step.requests) {
    const missing = neededKeys(request).filter((key) => !context.has(key));
    if (missing.length > 0 && step.always) continue;
    if (missing.length > 0) {
      const finding = `cannot ${step.action}: earlier responses lacked ${missing.join(', ')}`;
      return {
        name: step.name,
        status: 'fail',
        finding,
        remedy: 'Run the check again; if it repeats, report it with the logs.',
      };
    }
    try {
      await send(octokit, request, context, apiHost);
      sent++;
    } catch (error) {
      const path = fill(request.path, context);
      const check = failedCheckFromError(step.name, error, apiHost);
      const narrowed = findNarrowedTooFar(error, request.method, path, grants);
      if (narrowed.length === 0) return { ...check, finding: `${request.method} ${path}: ${check.finding}` };
      const permissions = narrowed.map((permission) => `${permission}: write`).join(', ');
      return {
        name: step.name,
        status: 'fail',
        finding: `${request.method} ${path}: token narrowed too far: the installation grants ${permissions}, but the token Keel minted for the round trip did not ask for it (${check.finding}).`,
        remedy:
          'This is a Keel bug, not a missing grant: there is nothing to accept on GitHub. Report it with this finding; the read checks are unaffected.',
      };
    }
  }
  return passedCheck(step.name, sent === 0 ? 'nothing to clean up' : `done: ${step.action}`);
}

/**
 * Runs the planned write round trip, one check per step. Once a step fails the next ones are
 * skipped, except cleanup, which undoes whatever was created. A dry run only describes the plan.
 */
export async function runWriteRoundTrip({
  steps,
  dryRun,
  installationOctokit,
  apiHost,
  granted = {},
  tokenPermissions = {},
  onStep = () => undefined,
}: RunWriteRoundTripOptions): Promise<CheckResult[]> {
  if (dryRun) {
    return steps.map((step) => ({
      name: step.name,
      status: 'skip',
      finding: `dry run: would ${step.action} (${describeRequests(step)})`,
      remedy: '',
    }));
  }
  const checks: CheckResult[] = [];
  const end = async (name: WriteCheckName, check: CheckResult) => {
    checks.push(check);
    await onStep({ ...check, name });
  };
  if (!installationOctokit) {
    for (const step of steps) await end(step.name, skippedCheck(step.name, 'no installation token'));
    return checks;
  }

  const context = new Map<string, string>();
  let failedStep: string | undefined;
  for (const step of steps) {
    if (failedStep && !step.always) {
      await end(step.name, skippedCheck(step.name, `${failedStep} failed`));
      continue;
    }
    await onStep({ name: step.name, status: 'running' });
    const check = await runStep(step, installationOctokit, context, apiHost, {
      installation: granted,
      token: tokenPermissions,
    });
    if (check.status === 'fail') failedStep ??= step.name;
    await end(step.name, check);
  }
  return checks;
}
