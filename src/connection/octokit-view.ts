/**
 * A client of its own over an Octokit that others share (Probot's app client, a cached narrowed
 * token): every request goes through the shared one (its auth, request guard, scope check,
 * retries, throttling), while hooks added to the view stay on the view. With a `signal`, each
 * request carries it to `fetch`, and fails the moment it aborts, even while it waits on a retry
 * or on the throttling queue: a background job's requests end as soon as Keel stops.
 */
import type { KeelOctokit, KeelOctokitClass } from '../github/octokit.js';

export interface ViewOctokitOptions {
  signal?: AbortSignal;
}

/** Settles like `promise`, or rejects with the abort reason as soon as `signal` aborts. */
export function settleOrAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) reject(signal.reason);
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

export function viewOctokit(shared: KeelOctokit, { signal }: ViewOctokitOptions = {}): KeelOctokit {
  const view = new (shared.constructor as KeelOctokitClass)();
  // Registered last, so outermost: the view's own auth and plugins never run, the shared client's do.
  view.hook.wrap('request', (_ownRequest, options) => {
    signal?.throwIfAborted();
    // The view's hook must not travel with the options, or the shared client would call it again.
    const { hook: _viewHook, ...request } = options.request ?? {};
    const sent = shared.request({ ...options, request: signal ? { ...request, signal } : request });
    return signal ? settleOrAbort(sent, signal) : sent;
  });
  return view;
}
