/**
 * The Probot that capabilities register their handlers on (`probot.on`, `onAny`, `onError`) and
 * the inbox dispatches deliveries to. It differs from Probot in one thing: the context a handler
 * gets carries no Octokit. Probot builds one for every event (about 60 µs of the worker's time
 * per delivery, a full installation token on first use), and Keel's handlers never use it: they
 * call GitHub through `deps.tokens`, with a token narrowed to the repositories and permissions
 * their job needs. Reading `context.octokit` throws an error that says so. Everything else a
 * handler sees (name, id, payload, log, `context.repo()` and the other helpers, routing by
 * `event.action`, then event, then `*`, failures gathered into one AggregateError) is Probot's.
 *
 * It also knows which deliveries some handler acts on (`triage`), so the receiver can record the
 * others without running anything: an event or action no handler is registered for, or a delivery
 * every handler of its event declined through the relevance it was registered with (`onRelevant`:
 * a comment without a `/keel` command is most of the `issue_comment` traffic an app receives).
 */
import { Webhooks, type EmitterWebhookEvent, type EmitterWebhookEventName } from '@octokit/webhooks';
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

/**
 * Which deliveries of its event a handler acts on, told from the payload alone: cheap, without
 * I/O, and never false for a delivery the handler would act on (it still checks for itself).
 */
export interface Relevance<E extends EmitterWebhookEventName> {
  when(payload: EmitterWebhookEvent<E>['payload']): boolean;
  /** Why a declined delivery is not run, as GitHub's delivery log shows it: "it holds no /keel command". */
  otherwise: string;
}

/** Whether a delivery is worth running, decided before it is stored; `reason` says why not. */
export type Triage = { run: true } | { run: false; reason: string };

const RUN: Triage = { run: true };

/** The names a delivery is routed under, most general first: `issue_comment`, `issue_comment.created`. */
function routedNames(event: string, payload: object): string[] {
  const { action } = payload as { action?: unknown };
  return typeof action === 'string' ? [event, `${event}.${action}`] : [event];
}
/** Probot's handler context, less the event fields `@octokit/webhooks` adds itself. */
type HandlerContext = Omit<Context, keyof EmitterWebhookEvent>;

function accepts(relevance: Relevance<never>, payload: object): boolean {
  try {
    return relevance.when(payload as never);
  } catch {
    return true;
  }
}

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
  /** Per routed name, one entry per handler: its relevance, or undefined when it acts on every delivery. */
  readonly #listeners = new Map<string, (Relevance<never> | undefined)[]>();
  #anyListener = false;
  /** Registers on the webhooks object without recording (onRelevant records its own entry). */
  readonly #register: HandlerWebhooks['on'];

  constructor(options: Options & { secret: string }) {
    super(options);
    this.#handlers = new Webhooks<HandlerContext>({
      secret: options.secret,
      log: this.log,
      transform: (event) => createContext(event, () => this.log),
    });
    // Recorded on the webhooks object itself, so `probot.webhooks.on` registers as `probot.on` does.
    const { on, onAny } = this.#handlers;
    this.#handlers.on = ((names: string | string[], handler: never) => {
      for (const name of [names].flat()) this.#listen(name, undefined);
      on(names as never, handler);
    }) as HandlerWebhooks['on'];
    this.#handlers.onAny = (handler) => {
      this.#anyListener = true;
      onAny(handler);
    };
    this.on = this.#handlers.on;
    this.onAny = this.#handlers.onAny;
    this.onError = this.#handlers.onError;
    this.#register = on;
  }

  #listen(name: string, relevance: Relevance<never> | undefined): void {
    this.#listeners.set(name, [...(this.#listeners.get(name) ?? []), relevance]);
  }

  /** Registers a handler that acts only on the deliveries `relevance` lets through. */
  onRelevant<E extends EmitterWebhookEventName>(
    name: E,
    relevance: Relevance<E>,
    handler: (context: Context<E>) => unknown,
  ): void {
    this.#listen(name, relevance as unknown as Relevance<never>);
    this.#register(name, handler as never);
  }

  /**
   * Run when any handler may act on it: one registered for everything, for its event or action
   * without a relevance, or one whose relevance accepts it. A relevance that throws (a payload of
   * an unexpected shape) counts as accepting: the handler then judges the delivery itself.
   */
  triage(event: string, payload: object): Triage {
    if (this.#anyListener) return RUN;
    const names = routedNames(event, payload);
    const declined: string[] = [];
    for (const name of names) {
      for (const relevance of this.#listeners.get(name) ?? []) {
        if (relevance === undefined || accepts(relevance, payload)) return RUN;
        declined.push(relevance.otherwise);
      }
    }
    if (declined.length > 0) return { run: false, reason: [...new Set(declined)].join('; ') };
    return { run: false, reason: `Keel has no handler for ${names.at(-1)}` };
  }

  override get webhooks(): HandlerWebhooks {
    return this.#handlers;
  }

  override async receive(event: EmitterWebhookEvent): Promise<void> {
    await this.#handlers.receive(event);
  }
}
