/**
 * The comment handler: parse (no request) → skip bots and comments answered before → read the
 * repository's config → react 👀 → run each command in order → one reply, found again by its
 * marker → react 🚀 (😕 when a command failed). Only newly created comments and discussions
 * reach it: edits are never answered.
 */
import type { EmitterWebhookEvent } from '@octokit/webhooks';
import { escapeText } from '../ci/render.js';
import { ConfigError } from '../errors.js';
import { serviceAllows } from '../integrations/gate.js';
import type { PermissionSet } from '../capabilities.js';
import type { RepositoryRef } from '../github/repository.js';
import { loadInstallationConfig } from '../repo-config/load-installation-config.js';
import { validateCommand } from './catalog.js';
import { mayMentionApp, parseCommands, type CommandLine } from './parse.js';
import { renderReply, renderUsageProblem, replyMarker, type ReplySection } from './render.js';
import { createLazyFacts, type CommandContext, type CommandsDeps } from './context.js';
import { runCommand } from './run-command.js';
import { markReplied, startReply } from './store.js';
import { discussionThread, issueThread, type Thread } from './thread.js';

export type IssueCommentPayload = EmitterWebhookEvent<'issue_comment.created'>['payload'];
export type DiscussionPayload = EmitterWebhookEvent<'discussion.created'>['payload'];
export type DiscussionCommentPayload = EmitterWebhookEvent<'discussion_comment.created'>['payload'];

export interface HandlerDeps extends CommandsDeps {
  /** The app's slug, for `@<slug> <command>`; undefined when it cannot be read. */
  appSlug(): Promise<string | undefined>;
}

/** A comment (or a new discussion) that may hold commands, wherever it was written. */
export interface CommandComment {
  installationId: number;
  repository: { id: number; owner: string; name: string; fullName: string; defaultBranch: string };
  author: { login: string; type: string };
  body: string | null;
  /** The id the reply's marker names. */
  id: number;
  /** command_replies.comment_key */
  key: string;
  number: number | null;
  thread: Thread;
  /** What the commands token may do here. */
  permissions: PermissionSet;
}

type RepositoryPayload = IssueCommentPayload['repository'];

function repositoryOf(repository: RepositoryPayload): CommandComment['repository'] {
  return {
    id: repository.id,
    owner: repository.owner.login,
    name: repository.name,
    fullName: repository.full_name,
    defaultBranch: repository.default_branch,
  };
}

/** A deleted account (null user) is treated like a bot: never answered. */
function authorOf(user: { login: string; type?: string } | null): CommandComment['author'] {
  return user ? { login: user.login, type: user.type ?? 'User' } : { login: 'ghost', type: 'Bot' };
}

const ISSUE_PERMISSIONS: PermissionSet = { issues: 'write', pull_requests: 'write' };
const DISCUSSION_PERMISSIONS: PermissionSet = { discussions: 'write' };

export function fromIssueComment(payload: IssueCommentPayload, githubHost: string): CommandComment | null {
  if (!payload.installation) return null;
  const repository = repositoryOf(payload.repository);
  const ref: RepositoryRef = { owner: repository.owner, repo: repository.name, githubHost };
  return {
    installationId: payload.installation.id,
    repository,
    author: authorOf(payload.comment.user),
    body: payload.comment.body,
    id: payload.comment.id,
    key: `issue-comment:${payload.comment.id}`,
    number: payload.issue.number,
    thread: issueThread({
      ref,
      number: payload.issue.number,
      isPullRequest: Boolean(payload.issue.pull_request),
      commentId: payload.comment.id,
      commentCreatedAt: payload.comment.created_at,
    }),
    permissions: ISSUE_PERMISSIONS,
  };
}

export function fromDiscussion(payload: DiscussionPayload, githubHost: string): CommandComment | null {
  if (!payload.installation) return null;
  const { discussion } = payload;
  return {
    installationId: payload.installation.id,
    repository: repositoryOf(payload.repository as RepositoryPayload),
    author: authorOf(discussion.user),
    body: discussion.body,
    id: discussion.id,
    key: `discussion:${discussion.id}`,
    number: null,
    thread: discussionThread({ githubHost, discussionNodeId: discussion.node_id, comment: null }),
    permissions: DISCUSSION_PERMISSIONS,
  };
}

export function fromDiscussionComment(payload: DiscussionCommentPayload, githubHost: string): CommandComment | null {
  if (!payload.installation) return null;
  const { comment } = payload;
  return {
    installationId: payload.installation.id,
    repository: repositoryOf(payload.repository as RepositoryPayload),
    author: authorOf(comment.user),
    body: comment.body,
    id: comment.id,
    key: `discussion-comment:${comment.id}`,
    number: null,
    thread: discussionThread({
      githubHost,
      discussionNodeId: payload.discussion.node_id,
      comment: { nodeId: comment.node_id, isReply: comment.parent_id !== null },
    }),
    permissions: DISCUSSION_PERMISSIONS,
  };
}

/** Bots never get answers (Keel's own replies included), so two bots cannot talk in a loop. */
export function isBot(author: CommandComment['author']): boolean {
  return author.type === 'Bot' || author.login.endsWith('[bot]');
}

/**
 * False only for a comment the handler leaves alone: a bot's, Keel's own reply, or one without a
 * `/keel` line or a line starting with an @mention (which may name the app). Pure and cheap: the
 * receiver asks it of every comment, and records the declined ones without running them.
 */
export function mayHoldCommands(comment: CommandComment): boolean {
  if (isBot(comment.author) || !comment.body || comment.body.includes('<!-- keel:command-reply:')) return false;
  return mayMentionApp(comment.body) || parseCommands(comment.body).length > 0;
}

export async function handleCommandComment(deps: HandlerDeps, comment: CommandComment): Promise<void> {
  if (!mayHoldCommands(comment)) return;
  const slug = mayMentionApp(comment.body) ? await deps.appSlug() : undefined;
  const lines = parseCommands(comment.body, slug);
  if (lines.length === 0) return;
  const where = { repository: comment.repository.fullName, comment: comment.key };
  const { repository, installationId } = comment;
  const ref: RepositoryRef = { owner: repository.owner, repo: repository.name, githubHost: deps.config.githubHost };

  const scope = { installation: { id: installationId }, repository: { full_name: repository.fullName } };
  if (!(await serviceAllows(deps.integrations, 'commands', scope, deps.log))) return;
  const now = deps.now ?? Date.now;
  const record = { repositoryId: repository.id, commentKey: comment.key, installationId };
  const earlier = await startReply(deps.store, record, now());
  if (earlier === 'replied') return;
  const configNote = await readCommandsSwitch(deps, comment);
  if (configNote === 'off') {
    deps.log.debug(where, 'Commands turned off in .github/keel.yml; comment ignored');
    return;
  }
  const octokit = await deps.tokens.octokitFor({
    installationId,
    repositoryIds: [repository.id],
    permissions: comment.permissions,
  });
  const marker = replyMarker(comment.id);
  // Only an earlier attempt of this comment can have replied (its response lost): look then.
  if (earlier === 'started' && (await comment.thread.hasReply(octokit, marker))) {
    await markReplied(deps.store, record, now());
    return;
  }
  await comment.thread.react(octokit, 'eyes');

  const base = {
    deps,
    installationId,
    repository,
    ref,
    thread: comment.thread.kind,
    number: comment.number,
    author: comment.author.login,
    octokit,
    consoleUrl: `${deps.config.publicUrl}/console/integrations/${installationId}`,
  };
  const { sections, failed } = await runLines({ ...base, facts: createLazyFacts(base) }, lines);
  if (configNote) sections.push({ line: '.github/keel.yml', body: configNote });
  await comment.thread.reply(octokit, renderReply(comment.id, sections));
  await markReplied(deps.store, record, now());
  await comment.thread.react(octokit, failed ? 'confused' : 'rocket');
  deps.log.info({ ...where, commands: lines.map((line) => line.word), failed }, 'Answered /keel commands');
}

/** Runs the command lines in order; an invalid line gets its usage. */
async function runLines(
  context: CommandContext,
  lines: readonly CommandLine[],
): Promise<{ sections: ReplySection[]; failed: boolean }> {
  const validation = { repository: context.repository.fullName, githubWebUrl: context.deps.githubWebUrl };
  const sections: ReplySection[] = [];
  let failed = false;
  for (const line of lines) {
    const validated = validateCommand(line, validation);
    const section = validated.ok
      ? await runCommand(context, validated.command)
      : { body: renderUsageProblem(validated.problem, validated.usage), ok: false };
    failed ||= !section.ok;
    sections.push({ line: line.text, body: section.body });
  }
  return { sections, failed };
}

/** 'off' when the repository turned commands off; a note when its config is invalid; else null. */
async function readCommandsSwitch(deps: HandlerDeps, comment: CommandComment): Promise<'off' | string | null> {
  const { repository } = comment;
  try {
    const loaded = await loadInstallationConfig({
      tokens: deps.tokens,
      cache: deps.configCache,
      installationId: comment.installationId,
      repository: { id: repository.id, owner: repository.owner, name: repository.name },
      githubHost: deps.config.githubHost,
      log: deps.log,
    });
    return loaded.config.commands.enabled ? null : 'off';
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return `Keel could not read \`.github/keel.yml\` (${escapeText(error.message)}); commands ran with the defaults.`;
  }
}
