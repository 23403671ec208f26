/** How console routes answer: a page with its doctype, 404 and 403 pages, and a post's redirect with its flash. */
import type { Context } from 'hono';
import type { ConsoleEnv } from '../auth/session.js';
import type { ConsoleAssets } from '../assets.js';
import type { Role } from '../roles.js';
import { KeelError } from '../../errors.js';
import { flashFromError, setFlash, takeFlash } from './flash.js';
import { MessagePage } from './message-page.js';
import type { PageFrame } from './view.js';

export type ConsoleContext = Context<ConsoleEnv>;

/** Renders a page with its doctype and the console's headers. */
export async function sendPage(
  c: ConsoleContext,
  page: unknown,
  status: 200 | 400 | 403 | 404 | 502 = 200,
): Promise<Response> {
  return c.html(`<!doctype html>${String(await (page as Promise<string> | string))}`, status);
}

export function frameFor(c: ConsoleContext, assets: ConsoleAssets): PageFrame {
  const user = c.get('user');
  return {
    user: { login: user.login, name: user.name, avatarUrl: user.avatarUrl, csrfToken: user.csrfToken },
    assets: assets.urls,
    flash: takeFlash(c),
  };
}

export function sendMessage(
  c: ConsoleContext,
  assets: ConsoleAssets,
  status: 400 | 403 | 404 | 502,
  title: string,
  message: string,
): Promise<Response> {
  return sendPage(c, <MessagePage {...frameFor(c, assets)} title={title} message={message} />, status);
}

export function notFound(c: ConsoleContext, assets: ConsoleAssets): Promise<Response> {
  return sendMessage(c, assets, 404, 'Not found', 'There is no such integration, or you may not see it.');
}

export function forbidden(c: ConsoleContext, assets: ConsoleAssets, needed: Role): Promise<Response> {
  const levels: Record<Role, string> = { view: 'view', manage: 'view and manage', delete: 'view, manage and delete' };
  return sendMessage(
    c,
    assets,
    403,
    'Not allowed',
    `This needs the "${levels[needed]}" level on this integration. An owner of its account can grant it to you.`,
  );
}

/**
 * Runs a form post's action, leaves its outcome as a flash message and redirects back (303). An
 * action that goes on in the background answers with the page that shows it instead; an error
 * carrying such a page (a run already in progress) redirects there with its flash.
 */
export async function finishPost(
  c: ConsoleContext,
  back: string,
  run: () => Promise<string | { redirect: string }>,
): Promise<Response> {
  let target = back;
  try {
    const outcome = await run();
    if (typeof outcome === 'string') setFlash(c, { kind: 'success', message: outcome });
    else target = outcome.redirect;
  } catch (error) {
    if (!(error instanceof KeelError)) throw error;
    setFlash(c, flashFromError(error));
    if (error instanceof RedirectingError) target = error.redirect;
  }
  return c.redirect(target, 303);
}

/** A refusal that shows its flash on another page than the form's. */
export class RedirectingError extends KeelError {
  constructor(
    error: KeelError,
    readonly redirect: string,
  ) {
    super(error.code, error.message, error.remedy, { cause: error });
  }
}

/** Back to the page the form was on, when it is a console page of this site. */
export function safeBack(referer: string | undefined, fallback: string): string {
  if (!referer) return fallback;
  try {
    const url = new URL(referer);
    return url.pathname.startsWith('/console') ? `${url.pathname}${url.search}` : fallback;
  } catch {
    return fallback;
  }
}
