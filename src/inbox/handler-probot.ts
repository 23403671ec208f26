/**
 * The Probot that capabilities register their handlers on (`probot.on`, `onAny`, `onError`) and
 * the inbox dispatches deliveries to. It differs from Probot in one thing: the context a handler
 * gets carries no Octokit. Probot builds one for every event (about 60 µs of the worker's time
 * per delivery, a full installation token on first use), and Keel's handlers never use it: they
 * call GitHub through `deps.tokens`, with a token narrowed to the repositories and permissions
 * their job needs. Reading `context.octokit` throws an error that says so. Everything else a
 * handler sees (name, id, payload, log, `context.repo()` and the other helpers, routing by
 * `event.action`, then event, then `*`, failures gathered into one AggregateError) is Probot's.
 */
import { Webhooks, type EmitterWebhookEvent } from '@octokit/webhooks';
import { Context, Probot, type Options } from 'probot';
import type { Logger } from 'pino';
import { KeelError } from '../errors.js';

/** A handler asked the event context for an Octokit, which Keel does not build. */
export class ContextOctokitError extends KeelError {
  constructor(event: string) {
    super(
      'CONTEXT_OCTOKIT_UNAVAILABLE',
      `A ${event} handler read context.octokit, which Keel does not build.`,
      'Call GitHub through deps.tokens (an Octokit narrowed to the repositories and permissions the job needs), not through the event context.',
    );
  }
}

type HandlerWebhooks = Probot['webhooks'];
/** Probot's handler context, less the event fields `@octokit/webhooks` adds itself. */
type HandlerContext = Omit<Context, keyof EmitterWebhookEvent>;

function createContext(event: EmitterWebhookEvent, log: () => Logger): HandlerContext {
  let eventLog: Logger | undefined;
  // Context's constructor installs a request hook on the Octokit it is given: build the context
  // on Context's prototype instead, so its helpers (repo(), issue(), isBot …) work as in Probot.
  return Object.create(Context.prototype, {
    name: { value: event.name, enumerable: true },
    id: { value: event.id, enumerable: true },
    payload: { value: event.payload, enumerable: true },
    log: { get: () => (eventLog ??= log().child({ name: 'event', id: event.id })), enumerable: true },
    octokit: {
      get: () => {
        throw new ContextOctokitError(event.name);
      },
    },
  }) as HandlerContext;
}

export class HandlerProbot extends Probot {
  readonly #handlers: HandlerWebhooks;

  constructor(options: Options & { secret: string }) {
    super(options);
    this.#handlers = new Webhooks<HandlerContext>({
      secret: options.secret,
      log: this.log,
      transform: (event) => createContext(event, () => this.log),
    });
    this.on = this.#handlers.on;
    this.onAny = this.#handlers.onAny;
    this.onError = this.#handlers.onError;
  }

  override get webhooks(): HandlerWebhooks {
    return this.#handlers;
  }

  override async receive(event: EmitterWebhookEvent): Promise<void> {
    await this.#handlers.receive(event);
  }
}
