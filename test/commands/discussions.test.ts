import type nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADD_DISCUSSION_COMMENT, ADD_REACTION, DISCUSSION_REPLIES } from '../../src/commands/thread.js';
import { useGitHubMock } from '../helpers/github-mock.js';
import type { TestKeel } from '../helpers/keel.js';
import {
  deliver,
  discussion,
  discussionComment,
  DISCUSSION_REPO_ID,
  DISCUSSION_REPO_PATH,
  mockCommandsToken,
  mockConfig,
  recordedGitHub,
  startCommandsKeel,
} from './scenario.js';

useGitHubMock();

let keel: TestKeel;
beforeEach(async () => {
  keel = await startCommandsKeel();
});
afterEach(() => keel.stop());

const DISCUSSION_NODE_ID = 'MDEwOkRpc2N1c3Npb24zMjk3NDQy';
const COMMENT_NODE_ID = 'MDE3OkRpc2N1c3Npb25Db21tZW50NTQ0MDc4';
const TOP_COMMENT_NODE_ID = 'DC_kwDOAQb_top';

interface GraphqlCall {
  query: string;
  variables: Record<string, unknown>;
}

/** Answers `count` GraphQL requests, recording their query and variables. */
function mockGraphql(scope: nock.Scope, count: number): GraphqlCall[] {
  const calls: GraphqlCall[] = [];
  scope
    .post('/graphql', (body: GraphqlCall) => {
      calls.push(body);
      return true;
    })
    .times(count)
    .reply(200, (_uri, body) => {
      const { query } = body as GraphqlCall;
      if (query.includes('addReaction')) return { data: { addReaction: { reaction: { content: 'EYES' } } } };
      if (query.includes('addDiscussionComment'))
        return { data: { addDiscussionComment: { comment: { id: 'DC_new' } } } };
      return { data: { node: { replyTo: { id: TOP_COMMENT_NODE_ID }, replies: { nodes: [] } } } };
    });
  return calls;
}

function answeredInDiscussion(graphqlRequests: number) {
  const github = recordedGitHub();
  mockConfig(github.scope, null, { repositoryId: DISCUSSION_REPO_ID, repoPath: DISCUSSION_REPO_PATH });
  mockCommandsToken(github.scope, { repositoryId: DISCUSSION_REPO_ID, discussions: true });
  return { ...github, calls: mockGraphql(github.scope, graphqlRequests) };
}

describe('a new discussion whose body holds a command', () => {
  it('reacts on the discussion and answers with a top-level discussion comment', async () => {
    const { calls } = answeredInDiscussion(3);
    await deliver(keel, 'discussion', discussion('How do I use Keel?\n\n/keel help'));
    expect(calls.map((call) => call.query)).toEqual([ADD_REACTION, ADD_DISCUSSION_COMMENT, ADD_REACTION]);
    expect(calls[0]?.variables).toEqual({ subjectId: DISCUSSION_NODE_ID, content: 'EYES' });
    expect(calls[1]?.variables).toMatchObject({ discussionId: DISCUSSION_NODE_ID, replyToId: null });
    expect(calls[1]?.variables.body).toMatch(/^<!-- keel:command-reply:\d+ -->\n\*\*Keel commands that work here\*\*/);
    expect(calls[2]?.variables).toEqual({ subjectId: DISCUSSION_NODE_ID, content: 'ROCKET' });
  });

  it('lists the pull request commands as not available in a discussion', async () => {
    const { calls } = answeredInDiscussion(3);
    await deliver(keel, 'discussion', discussion('/keel help'));
    expect(calls[1]?.variables.body).toContain('`/keel rerun`: re-runs the failed jobs');
    expect(calls[1]?.variables.body).toContain('on pull requests only');
  });
});

describe('a discussion comment with a command', () => {
  it('threads the reply under the comment that asked', async () => {
    const { calls } = answeredInDiscussion(3);
    await deliver(keel, 'discussion_comment', discussionComment('/keel status'));
    expect(calls[0]?.variables).toEqual({ subjectId: COMMENT_NODE_ID, content: 'EYES' });
    expect(calls[1]?.query).toBe(ADD_DISCUSSION_COMMENT);
    expect(calls[1]?.variables).toMatchObject({ discussionId: DISCUSSION_NODE_ID, replyToId: COMMENT_NODE_ID });
    expect(calls[1]?.variables.body).toContain('Repository octo-org/octo-repo: not excluded.');
    expect(calls[2]?.variables).toEqual({ subjectId: COMMENT_NODE_ID, content: 'ROCKET' });
  });

  it('answers a reply under the comment that started its thread (replies nest one level)', async () => {
    const { calls } = answeredInDiscussion(4);
    await deliver(keel, 'discussion_comment', discussionComment('/keel help', { parentId: 544077 }));
    expect(calls.map((call) => call.query)).toEqual([
      ADD_REACTION,
      DISCUSSION_REPLIES,
      ADD_DISCUSSION_COMMENT,
      ADD_REACTION,
    ]);
    expect(calls[1]?.variables).toEqual({ id: COMMENT_NODE_ID });
    expect(calls[2]?.variables).toMatchObject({ replyToId: TOP_COMMENT_NODE_ID });
  });

  it('checks the role of the commenter through the API for acting commands', async () => {
    const { scope, calls } = answeredInDiscussion(3);
    scope
      .get(`${DISCUSSION_REPO_PATH}/collaborators/Codertocat/permission`)
      .reply(200, { permission: 'read', role_name: 'triage' });
    await deliver(keel, 'discussion_comment', discussionComment('/keel verify'));
    expect(calls[1]?.variables.body).toContain(
      '`/keel verify` needs write, maintain or admin on octo-org/octo-repo; @Codertocat has triage.',
    );
    expect(calls[2]?.variables).toEqual({ subjectId: COMMENT_NODE_ID, content: 'CONFUSED' });
  });

  it('ignores comments by bots', async () => {
    const payload = discussionComment('/keel help');
    if (!payload.comment.user) throw new Error('the example has a user');
    payload.comment.user.login = 'github-actions[bot]';
    payload.comment.user.type = 'Bot';
    await deliver(keel, 'discussion_comment', payload);
  });

  it('finds the reply of an interrupted attempt by its marker and does not reply again', async () => {
    await keel.keel.store.db
      .insertInto('command_replies')
      .values({
        repository_id: DISCUSSION_REPO_ID,
        comment_key: 'discussion-comment:544078',
        installation_id: 42,
        state: 'started',
        created_at: 0,
        updated_at: 0,
      })
      .execute();
    const { scope } = recordedGitHub();
    mockConfig(scope, null, { repositoryId: DISCUSSION_REPO_ID, repoPath: DISCUSSION_REPO_PATH });
    mockCommandsToken(scope, { repositoryId: DISCUSSION_REPO_ID, discussions: true });
    const calls: GraphqlCall[] = [];
    scope
      .post('/graphql', (body: GraphqlCall) => calls.push(body) > 0)
      .reply(200, {
        data: {
          node: { replyTo: null, replies: { nodes: [{ body: '<!-- keel:command-reply:544078 -->\nthe reply' }] } },
        },
      });
    await deliver(keel, 'discussion_comment', discussionComment('/keel help'));
    expect(calls).toEqual([{ query: DISCUSSION_REPLIES, variables: { id: COMMENT_NODE_ID } }]);
  });
});
