/**
 * The Keel, payloads and GitHub mocks for `/keel` command tests: real issue_comment, discussion
 * and discussion_comment examples from @octokit/webhooks-examples with an installation added, and
 * the requests every answered command makes (config read, narrowed token, reactions, reply).
 */
import type nock from 'nock';
import { example } from '../../fixtures/index.js';
import type { DiscussionCommentPayload, DiscussionPayload, IssueCommentPayload } from '../../src/commands/handler.js';
import { commandsPlugin } from '../../src/commands/plugin.js';
import { prChecksPlugin } from '../../src/pr-checks/plugin.js';
import { githubApi } from '../helpers/github-mock.js';
import { startKeel, type TestKeel } from '../helpers/keel.js';

export const INSTALLATION_ID = 42;
/** The issue_comment examples' repository. */
export const REPOSITORY_ID = 186853002;
export const REPO_PATH = '/repos/Codertocat/Hello-World';
export const COMMENT_ID = 492700400;
export const PULL_NUMBER = 2;
export const HEAD_SHA = 'ec26c3e57ca3a959ca5aad62de7213c562f8c821';
const INSTALLATION = { id: INSTALLATION_ID, node_id: 'MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNDI=' };

/**
 * A Keel answering commands, its links under https://keel.example.com; with `prChecks`, it also
 * audits pull requests (what `/keel check` and accepted findings act on).
 */
export function startCommandsKeel({ prChecks = false }: { prChecks?: boolean } = {}): Promise<TestKeel> {
  return startKeel({
    plugins: prChecks ? [prChecksPlugin(), commandsPlugin()] : [commandsPlugin()],
    env: { KEEL_PUBLIC_URL: 'https://keel.example.com' },
  });
}

export interface CommentOptions {
  /** On a pull request (#2) rather than the issue (#1). */
  pull?: boolean;
  user?: { login: string; type: 'User' | 'Bot' };
  commentId?: number;
}

export function issueComment(body: string, options: CommentOptions = {}): IssueCommentPayload {
  const payload = example('issue_comment.created');
  payload.comment.body = body;
  payload.comment.id = options.commentId ?? COMMENT_ID;
  if (options.user) Object.assign(payload.comment.user ?? {}, options.user);
  if (options.pull) {
    payload.issue.number = PULL_NUMBER;
    payload.issue.pull_request = {
      url: `https://api.github.com${REPO_PATH}/pulls/${PULL_NUMBER}`,
      html_url: `https://github.com/Codertocat/Hello-World/pull/${PULL_NUMBER}`,
      diff_url: `https://github.com/Codertocat/Hello-World/pull/${PULL_NUMBER}.diff`,
      patch_url: `https://github.com/Codertocat/Hello-World/pull/${PULL_NUMBER}.patch`,
      merged_at: null,
    };
  }
  return { ...payload, installation: INSTALLATION };
}

/** The discussion examples are in octo-org/octo-repo. */
export const DISCUSSION_REPO_ID = 17273051;
export const DISCUSSION_REPO_PATH = '/repos/octo-org/octo-repo';

export function discussion(body: string): DiscussionPayload {
  const payload = example('discussion.created');
  payload.discussion.body = body;
  return { ...payload, installation: INSTALLATION };
}

export function discussionComment(body: string, { parentId = null }: { parentId?: number | null } = {}) {
  const payload = example('discussion_comment.created');
  payload.comment.body = body;
  payload.comment.parent_id = parentId as number;
  return { ...payload, installation: INSTALLATION } as DiscussionCommentPayload;
}

/** A GitHub scope that records every request it answers, as "METHOD path". */
export function recordedGitHub(): { scope: nock.Scope; requests: string[] } {
  const scope = githubApi();
  const requests: string[] = [];
  scope.on('request', (request: { method: string; path: string }) =>
    requests.push(`${request.method} ${request.path}`),
  );
  return { scope, requests };
}

const expiresAt = () => new Date(Date.now() + 3_600_000).toISOString();

/** The commands token: this repository, narrowed to what replying in the thread needs. */
export function mockCommandsToken(
  scope: nock.Scope,
  { repositoryId = REPOSITORY_ID, discussions = false }: { repositoryId?: number; discussions?: boolean } = {},
): void {
  const permissions = discussions ? { discussions: 'write' } : { issues: 'write', pull_requests: 'write' };
  scope
    .post(`/app/installations/${INSTALLATION_ID}/access_tokens`, { repository_ids: [repositoryId], permissions })
    .reply(201, {
      token: 'ghs_commandsTestToken',
      expires_at: expiresAt(),
      permissions: { ...permissions, metadata: 'read' },
    });
}

/** `.github/keel.yml`: the config token, then the repository's file (`text`, or 404 and the owner's 404). */
export function mockConfig(
  scope: nock.Scope,
  text: string | null,
  { repositoryId = REPOSITORY_ID, repoPath = REPO_PATH }: { repositoryId?: number; repoPath?: string } = {},
): void {
  scope
    .post(`/app/installations/${INSTALLATION_ID}/access_tokens`, {
      repository_ids: [repositoryId],
      repositories: ['.github'],
      permissions: { contents: 'read' },
    })
    .reply(201, { token: 'ghs_configTestToken', expires_at: expiresAt(), permissions: { contents: 'read' } });
  const file = scope.get(`${repoPath}/contents/.github%2Fkeel.yml`);
  if (text !== null) {
    file.reply(200, text, { 'content-type': 'application/vnd.github.raw; charset=utf-8' });
    return;
  }
  file.reply(404, { message: 'Not Found' });
  const owner = repoPath.split('/')[2];
  scope.get(`/repos/${owner}/.github/contents/.github%2Fkeel.yml`).reply(404, { message: 'Not Found' });
}

/** Records the reactions Keel adds to the command comment. */
export function mockReactions(scope: nock.Scope, count = 2, commentId = COMMENT_ID): string[] {
  const reactions: string[] = [];
  scope
    .post(`${REPO_PATH}/issues/comments/${commentId}/reactions`, (body: { content: string }) => {
      reactions.push(body.content);
      return true;
    })
    .times(count)
    .reply(201, {});
  return reactions;
}

/** Records the replies Keel posts on issue or pull request `number`. */
export function mockReply(scope: nock.Scope, number = 1): string[] {
  const replies: string[] = [];
  scope
    .post(`${REPO_PATH}/issues/${number}/comments`, (body: { body: string }) => {
      replies.push(body.body);
      return true;
    })
    .reply(201, { id: 900 });
  return replies;
}

/** The commenter's role, as GET …/collaborators/{user}/permission answers. */
export function mockRole(scope: nock.Scope, permission: string, roleName = permission, user = 'Codertocat'): void {
  scope
    .get(`${REPO_PATH}/collaborators/${user}/permission`)
    .reply(200, { permission, role_name: roleName, user: { login: user } });
}

export function mockPull(scope: nock.Scope, overrides: Record<string, unknown> = {}): void {
  const pull = example('pull_request.opened').pull_request;
  scope
    .get(`${REPO_PATH}/pulls/${PULL_NUMBER}`)
    .reply(200, { ...pull, head: { ...pull.head, sha: HEAD_SHA }, ...overrides });
}

/** The installation as the connection capability records it, with `permissions` granted. */
export async function storeInstallation(keel: TestKeel, permissions: Record<string, string>, state = 'connected') {
  await keel.keel.store.db
    .insertInto('installations')
    .values({
      id: INSTALLATION_ID,
      account_login: 'Codertocat',
      account_type: 'User',
      account_id: 1,
      installed_by: null,
      repository_selection: 'selected',
      permissions: JSON.stringify(permissions),
      events: '[]',
      suspended_at: null,
      suspended_by: null,
      state,
      created_at: 0,
      updated_at: Date.parse('2026-11-30T12:00:00Z'),
      repository_count: 1,
    })
    .execute();
}

/** Posts a delivery and waits until Keel has handled it. */
export async function deliver(keel: TestKeel, event: string, payload: unknown, id?: string): Promise<void> {
  const response = await keel.send(event, payload, id);
  if (response.status !== 202) throw new Error(`Delivery refused: ${response.status}`);
  await keel.keel.worker.idle();
}
