import { describe, expect, it } from 'vitest';
import { permissionsForWritePlan, planWriteRoundTrip } from '../../../src/connection/verify/plan-write-round-trip.js';

const plan = planWriteRoundTrip({
  owner: 'acme',
  repo: 'web',
  at: '2025-06-01T12:00:00.000Z',
});
const requestsOf = (name: string) =>
  plan.find((step) => step.name === name)?.requests.map((request) => `${request.method} ${request.path}`);

describe('planWriteRoundTrip', () => {
  it('plans one step per write check, cleanup last', () => {
    expect(plan.map((step) => step.name)).toEqual([
      'write:branch',
      'write:commit',
      'write:pull-request',
      'write:status',
      'write:comment',
      'write:cleanup',
    ]);
  });

  it('creates keel/connection-check from the head of the default branch', () => {
    expect(requestsOf('write:branch')).toEqual([
      'GET /repos/acme/web',
      'GET /repos/acme/web/git/ref/heads/{defaultBranch}',
      'DELETE /repos/acme/web/git/refs/heads/keel/connection-check',
      'POST /repos/acme/web/git/refs',
    ]);
  });

  it('commits through the contents API onto the check branch', () => {
    const commit = plan[1]?.requests[0];
    expect([commit?.method, commit?.path, commit?.body?.branch]).toEqual([
      'PUT',
      '/repos/acme/web/contents/.keel/connection-check.md',
      'keel/connection-check',
    ]);
  });

  it('opens the pull request as a draft against the default branch', () => {
    expect(plan[2]?.requests[0]?.body).toMatchObject({
      draft: true,
      head: 'keel/connection-check',
      base: '{defaultBranch}',
    });
  });

  it('sets the status on the commit it made, with the keel/connection-check context', () => {
    expect(plan[3]?.requests[0]).toMatchObject({
      path: '/repos/acme/web/statuses/{commitSha}',
      body: { context: 'keel/connection-check' },
    });
  });

  it('always cleans up: closes the pull request and deletes the branch it created', () => {
    expect([plan[5]?.always, requestsOf('write:cleanup')]).toEqual([
      true,
      ['PATCH /repos/acme/web/pulls/{pullNumber}', 'DELETE /repos/acme/web/git/refs/heads/keel/connection-check'],
    ]);
  });

  it('asks for the writes it makes, and no more', () => {
    expect(permissionsForWritePlan(plan)).toEqual({
      metadata: 'read',
      contents: 'write',
      pull_requests: 'write',
      statuses: 'write',
      issues: 'write',
    });
  });

  it('asks for workflows: write too when its commit touches a workflow', () => {
    const workflowPlan = planWriteRoundTrip({
      owner: 'acme',
      repo: 'web',
      at: '2025-06-01T12:00:00.000Z',
      path: '.github/workflows/keel-connection-check.yml',
    });
    expect(permissionsForWritePlan(workflowPlan)).toMatchObject({ contents: 'write', workflows: 'write' });
  });
});
