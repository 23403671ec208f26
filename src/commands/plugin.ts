/**
 * The commands capability: `/keel …` in issue, pull request and discussion comments (and new
 * discussions). Edits are not subscribed to, so they are never answered.
 */
import { capabilityDeps } from '../capability-deps.js';
import { createRerunService } from '../ci/rerun.js';
import { createVerifier, INTERACTIVE_TIMEOUT_MS } from '../connection/verify-and-store.js';
import type { KeelPlugin, KeelServices } from '../keel.js';
import { repairRepository } from '../repair/repair-repository.js';
import type { ConfigCache } from '../repo-config/config-cache.js';
import {
  fromDiscussion,
  fromDiscussionComment,
  fromIssueComment,
  handleCommandComment,
  mayHoldCommands,
  type CommandComment,
  type HandlerDeps,
} from './handler.js';

export interface CommandsPluginOptions {
  /** ETag cache for `.github/keel.yml` reads; Keel's shared one by default. */
  configCache?: ConfigCache;
}

/** Reads the app's slug once (GET /app with the app's JWT); a failure is retried on the next comment. */
function createSlugReader(services: KeelServices): () => Promise<string | undefined> {
  let slug: Promise<string | undefined> | undefined;
  return () =>
    (slug ??= services.probot
      .auth()
      .then(async (app) => (await app.request('GET /app')).data?.slug)
      .catch((error: unknown) => {
        services.log.warn({ err: error }, 'Could not read the app slug; @mentions are not commands until it is read');
        slug = undefined;
        return undefined;
      }));
}

export function commandsPlugin({ configCache }: CommandsPluginOptions = {}): KeelPlugin {
  return (services) => {
    const { config, store, tokens, probot } = services;
    // Someone waits for the reply: the connection's interactive verify (no retries, a deadline).
    const verifier = createVerifier({ services, interactiveTimeoutMs: INTERACTIVE_TIMEOUT_MS });
    const deps: HandlerDeps = {
      ...capabilityDeps(services, 'commands', configCache),
      githubWebUrl: config.githubWebUrl,
      rerun: createRerunService({ store, tokens, githubHost: config.githubHost, githubWebUrl: config.githubWebUrl }),
      verify: (installationId) => verifier(installationId),
      repair: repairRepository,
      appSlug: createSlugReader(services),
    };
    const handle = (comment: CommandComment | null) => (comment ? handleCommandComment(deps, comment) : undefined);
    // Most comments hold no command: the receiver records those without running this handler.
    const relevance = <P>(read: (payload: P, githubHost: string) => CommandComment | null) => ({
      when: (payload: P) => {
        const comment = read(payload, config.githubHost);
        return comment !== null && mayHoldCommands(comment);
      },
      otherwise: 'it holds no /keel command Keel would answer',
    });
    probot.onRelevant('issue_comment.created', relevance(fromIssueComment), ({ payload }) =>
      handle(fromIssueComment(payload, config.githubHost)),
    );
    probot.onRelevant('discussion.created', relevance(fromDiscussion), ({ payload }) =>
      handle(fromDiscussion(payload, config.githubHost)),
    );
    probot.onRelevant('discussion_comment.created', relevance(fromDiscussionComment), ({ payload }) =>
      handle(fromDiscussionComment(payload, config.githubHost)),
    );
  };
}
