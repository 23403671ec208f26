/**
 * Where a command was written and how Keel answers there: reactions on the command, a reply in
 * the same thread, and finding that reply again by its marker. Issues and pull requests go
 * through REST; discussions through GraphQL (`addReaction`, `addDiscussionComment` threaded
 * under the comment that asked).
 */
import type { KeelOctokit } from '../github/octokit.js';
import { classified, type RepositoryRef } from '../github/repository.js';
import type { ThreadKind } from './catalog.js';

export type Reaction = 'eyes' | 'rocket' | 'confused';

export interface Thread {
  kind: ThreadKind;
  react(octokit: KeelOctokit, reaction: Reaction): Promise<void>;
  /** True when a reply holding `marker` is already there. */
  hasReply(octokit: KeelOctokit, marker: string): Promise<boolean>;
  reply(octokit: KeelOctokit, body: string): Promise<void>;
}

export interface IssueThreadFacts {
  ref: RepositoryRef;
  number: number;
  isPullRequest: boolean;
  commentId: number;
  /** The command comment's creation time (ISO): Keel's reply comes after it. */
  commentCreatedAt: string;
}

export function issueThread(facts: IssueThreadFacts): Thread {
  const { ref } = facts;
  return {
    kind: facts.isPullRequest ? 'pull' : 'issue',
    react: (octokit, content) =>
      classified(ref.githubHost, async () => {
        await octokit.request('POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions', {
          owner: ref.owner,
          repo: ref.repo,
          comment_id: facts.commentId,
          content,
        });
      }),
    hasReply: (octokit, marker) =>
      classified(ref.githubHost, async () => {
        const comments = await octokit.paginate('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', {
          owner: ref.owner,
          repo: ref.repo,
          issue_number: facts.number,
          since: facts.commentCreatedAt,
          per_page: 100,
        });
        return comments.some((comment) => comment.body?.includes(marker));
      }),
    reply: (octokit, body) =>
      classified(ref.githubHost, async () => {
        await octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
          owner: ref.owner,
          repo: ref.repo,
          issue_number: facts.number,
          body,
        });
      }),
  };
}

export interface DiscussionThreadFacts {
  githubHost: string;
  discussionNodeId: string;
  /** The command: the discussion itself (null) or one of its comments. */
  comment: { nodeId: string; isReply: boolean } | null;
}

const REACTIONS: Record<Reaction, string> = { eyes: 'EYES', rocket: 'ROCKET', confused: 'CONFUSED' };

export const ADD_REACTION = `mutation($subjectId: ID!, $content: ReactionContent!) {
  addReaction(input: { subjectId: $subjectId, content: $content }) { reaction { content } }
}`;

export const ADD_DISCUSSION_COMMENT = `mutation($discussionId: ID!, $replyToId: ID, $body: String!) {
  addDiscussionComment(input: { discussionId: $discussionId, replyToId: $replyToId, body: $body }) { comment { id } }
}`;

export const DISCUSSION_REPLIES = `query($id: ID!) {
  node(id: $id) {
    ... on DiscussionComment { replyTo { id } replies(last: 100) { nodes { body } } }
    ... on Discussion { comments(first: 100) { nodes { body } } }
  }
}`;

interface RepliesAnswer {
  node: {
    replyTo?: { id: string } | null;
    replies?: { nodes: { body: string }[] };
    comments?: { nodes: { body: string }[] };
  } | null;
}

export function discussionThread(facts: DiscussionThreadFacts): Thread {
  const { githubHost, comment } = facts;
  // Replies nest one level: a reply to a reply goes under the comment that started the thread.
  let replyToId: Promise<string | null> | undefined;
  const topComment = (octokit: KeelOctokit): Promise<string | null> => {
    if (!comment) return Promise.resolve(null);
    if (!comment.isReply) return Promise.resolve(comment.nodeId);
    return (replyToId ??= readReplies(octokit, comment.nodeId).then((node) => node?.replyTo?.id ?? comment.nodeId));
  };
  const readReplies = (octokit: KeelOctokit, id: string) =>
    classified(githubHost, async () => (await octokit.graphql<RepliesAnswer>(DISCUSSION_REPLIES, { id })).node);

  return {
    kind: 'discussion',
    react: (octokit, reaction) =>
      classified(githubHost, async () => {
        await octokit.graphql(ADD_REACTION, {
          subjectId: comment?.nodeId ?? facts.discussionNodeId,
          content: REACTIONS[reaction],
        });
      }),
    async hasReply(octokit, marker) {
      const id = (await topComment(octokit)) ?? facts.discussionNodeId;
      const node = await readReplies(octokit, id);
      const bodies = [...(node?.replies?.nodes ?? []), ...(node?.comments?.nodes ?? [])];
      return bodies.some((entry) => entry.body.includes(marker));
    },
    async reply(octokit, body) {
      const replyTo = await topComment(octokit);
      await classified(githubHost, () =>
        octokit.graphql(ADD_DISCUSSION_COMMENT, { discussionId: facts.discussionNodeId, replyToId: replyTo, body }),
      );
    },
  };
}
