import { requiredScopes } from '../../github/token-scope.js';
import type { PlannedStep } from './types.js';

export const CONNECTION_CHECK_BRANCH = 'keel/connection-check';
const CONNECTION_CHECK_CONTEXT = 'keel/connection-check';
export const CONNECTION_CHECK_FILE = '.keel/connection-check.md';

export interface PlanWriteRoundTripOptions {
  owner: string;
  repo: string;
  /** ISO time written into the commit, so each run's commit is new. */
  at: string;
  /** The file the commit writes; one under .github/workflows/ proves what repair needs. */
  path?: string;
}

/**
 * The write round trip as data (safe-settings style): a dry run prints it, a real run executes it.
 * `{placeholders}` are filled from earlier responses.
 */
export function planWriteRoundTrip({
  owner,
  repo,
  at,
  path: file = CONNECTION_CHECK_FILE,
}: PlanWriteRoundTripOptions): PlannedStep[] {
  const base = `/repos/${owner}/${repo}`;
  const branchRef = `${base}/git/refs/heads/${CONNECTION_CHECK_BRANCH}`;
  const content = `Keel connection check at ${at}. Keel closes this pull request and deletes the branch.\n`;
  return [
    {
      name: 'write:branch',
      action: `create branch ${CONNECTION_CHECK_BRANCH} from the default branch head`,
      requests: [
        {
          method: 'GET',
          path: base,
          captures: { defaultBranch: 'default_branch' },
        },
        {
          method: 'GET',
          path: `${base}/git/ref/heads/{defaultBranch}`,
          captures: { headSha: 'object.sha' },
        },
        // A branch left by an interrupted run is replaced, so every run starts clean.
        { method: 'DELETE', path: branchRef, tolerate: [404, 422] },
        {
          method: 'POST',
          path: `${base}/git/refs`,
          body: {
            ref: `refs/heads/${CONNECTION_CHECK_BRANCH}`,
            sha: '{headSha}',
          },
          captures: { branch: 'ref' },
        },
      ],
    },
    {
      name: 'write:commit',
      action: `commit ${file} to ${CONNECTION_CHECK_BRANCH}`,
      requests: [
        {
          method: 'PUT',
          path: `${base}/contents/${file}`,
          body: {
            message: 'Keel connection check',
            content: Buffer.from(content).toString('base64'),
            branch: CONNECTION_CHECK_BRANCH,
          },
          captures: { commitSha: 'commit.sha' },
        },
      ],
    },
    {
      name: 'write:pull-request',
      action: `open a draft pull request from ${CONNECTION_CHECK_BRANCH}`,
      requests: [
        {
          method: 'POST',
          path: `${base}/pulls`,
          body: {
            title: 'Keel connection check',
            head: CONNECTION_CHECK_BRANCH,
            base: '{defaultBranch}',
            body: 'Keel opened this draft to prove it can write here; it closes it right away.',
            draft: true,
          },
          captures: { pullNumber: 'number' },
        },
      ],
    },
    {
      name: 'write:status',
      action: `set commit status ${CONNECTION_CHECK_CONTEXT}`,
      requests: [
        {
          method: 'POST',
          path: `${base}/statuses/{commitSha}`,
          body: {
            state: 'success',
            context: CONNECTION_CHECK_CONTEXT,
            description: 'Keel can write here',
          },
        },
      ],
    },
    {
      name: 'write:comment',
      action: 'comment on the pull request',
      requests: [
        {
          method: 'POST',
          path: `${base}/issues/{pullNumber}/comments`,
          body: {
            body: '<!-- keel:connection-check -->\nKeel can comment here.',
          },
        },
      ],
    },
    {
      name: 'write:cleanup',
      action: `close the pull request and delete ${CONNECTION_CHECK_BRANCH}`,
      always: true,
      requests: [
        {
          method: 'PATCH',
          path: `${base}/pulls/{pullNumber}`,
          body: { state: 'closed' },
        },
        {
          method: 'DELETE',
          path: branchRef,
          requires: ['branch'],
          tolerate: [404, 422],
        },
      ],
    },
  ];
}

/**
 * What a real round trip's token must be granted: every write the plan makes (a commit under
 * .github/workflows/ needs `workflows` too), and metadata to read. Placeholders count as filled.
 */
export function permissionsForWritePlan(steps: readonly PlannedStep[]): Record<string, 'read' | 'write'> {
  const permissions: Record<string, 'read' | 'write'> = { metadata: 'read' };
  for (const request of steps.flatMap((step) => step.requests)) {
    for (const { permission } of requiredScopes(request.method, request.path.replace(/\{\w+\}/g, '1'))) {
      permissions[permission] = 'write';
    }
  }
  return permissions;
}
