import { describe, expect, it } from 'vitest';
import { example, examples } from '../../fixtures/index.js';
import { computeConcurrencyKey } from '../../src/inbox/concurrency-key.js';

describe('the concurrency key of a delivery', () => {
  it('orders a pull request’s events by the pull request', () => {
    const payload = example('pull_request.opened');
    expect(computeConcurrencyKey('pull_request', payload)).toBe(`pr:${payload.repository.id}:${payload.number}`);
  });

  it('orders a workflow run of a pull request with that pull request', () => {
    const payload = examples('workflow_run.completed').find((run) => run.workflow_run.pull_requests.length > 0)!;
    const [pull] = payload.workflow_run.pull_requests;
    pull!.base.repo.id = payload.repository.id;
    expect(computeConcurrencyKey('workflow_run', payload)).toBe(`pr:${payload.repository.id}:${pull!.number}`);
  });

  it('orders runs of one workflow on a branch (the default branch’s tracking issue) by workflow and branch', () => {
    const payload = example('workflow_run.completed');
    payload.workflow_run.pull_requests = [];
    const { workflow_id, head_branch } = payload.workflow_run;
    expect(computeConcurrencyKey('workflow_run', payload)).toBe(
      `workflow:${payload.repository.id}:${workflow_id}:${head_branch}`,
    );
  });

  it('orders a fork’s pull request runs (sent without their pull request) by commit', () => {
    const payload = example('workflow_run.completed');
    payload.workflow_run.pull_requests = [];
    payload.workflow_run.event = 'pull_request';
    expect(computeConcurrencyKey('workflow_run', payload)).toBe(
      `commit:${payload.repository.id}:${payload.workflow_run.head_sha}`,
    );
  });

  it('ignores a pull request of another repository listed on a run', () => {
    const payload = examples('workflow_run.completed').find((run) => run.workflow_run.pull_requests.length > 0)!;
    payload.workflow_run.pull_requests[0]!.base.repo.id = payload.repository.id + 1;
    expect(computeConcurrencyKey('workflow_run', payload)).toMatch(/^workflow:/);
  });

  it('orders pushes by repository', () => {
    const payload = example('push');
    expect(computeConcurrencyKey('push', payload)).toBe(`repo:${payload.repository.id}`);
  });

  it('orders a comment on a pull request’s conversation with that pull request’s events', () => {
    // GitHub sends a pull request's conversation comments as issue_comment, with issue.pull_request set.
    const comment = example('issue_comment.created');
    const pullRequest = {
      url: `${comment.issue.url.replace('/issues/', '/pulls/')}`,
      html_url: '',
      diff_url: '',
      patch_url: '',
    };
    comment.issue.pull_request = pullRequest;
    expect(computeConcurrencyKey('issue_comment', comment)).toBe(`pr:${comment.repository.id}:${comment.issue.number}`);
  });

  it('orders comments by their issue and discussion comments by their discussion', () => {
    const comment = example('issue_comment.created');
    const discussion = example('discussion_comment.created');
    expect([
      computeConcurrencyKey('issue_comment', comment),
      computeConcurrencyKey('discussion_comment', discussion),
      computeConcurrencyKey('discussion', example('discussion')),
    ]).toEqual([
      `issue:${comment.repository.id}:${comment.issue.number}`,
      `discussion:${discussion.repository.id}:${discussion.discussion.number}`,
      expect.stringMatching(/^discussion:\d+:\d+$/),
    ]);
  });

  it('leaves unordered events without a repository or that nothing needs to order', () => {
    expect([
      computeConcurrencyKey('installation', example('installation.created')),
      computeConcurrencyKey('workflow_job', example('workflow_job')),
      computeConcurrencyKey('pull_request', { action: 'opened', number: 1, pull_request: { number: 1 } }),
      computeConcurrencyKey('pull_request', null),
    ]).toEqual([null, null, null, null]);
  });

  it('never yields a key the column cannot hold: an id out of range gives none, a huge branch name a hash', () => {
    const run = example('workflow_run.completed');
    run.workflow_run.pull_requests = [];
    run.workflow_run.head_branch = 'b'.repeat(300);
    const pull = example('pull_request.opened');
    pull.pull_request.number = 1.5;
    expect([computeConcurrencyKey('workflow_run', run), computeConcurrencyKey('pull_request', pull)]).toEqual([
      expect.stringMatching(/^hash:[0-9a-f]{64}$/),
      null,
    ]);
  });
});
