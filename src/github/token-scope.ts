/**
 * Which permission a write needs, for the endpoints Keel writes to. A narrowed Octokit checks its
 * own grant before sending, so a job that asks for too little fails with a clear error naming the
 * permission, and a token narrowed to read contents can never be used to write them.
 */
import { satisfies, type PermissionLevel, type PermissionName } from '../capabilities.js';
import { PermissionMissingError } from '../errors.js';

const REPO = String.raw`/repos/[^/]+/[^/]+`;

const WRITE_SCOPES: [method: RegExp, path: RegExp, permission: PermissionName][] = [
  [/^(PUT|DELETE)$/, new RegExp(`${REPO}/contents/`), 'contents'],
  [/^(POST|PATCH|DELETE)$/, new RegExp(`${REPO}/git/(refs|commits|trees|blobs|tags)`), 'contents'],
  [/^POST$/, new RegExp(`${REPO}/statuses/`), 'statuses'],
  [/^(POST|PATCH|PUT)$/, new RegExp(`${REPO}/pulls(/\\d+)?$`), 'pull_requests'],
  [/^(POST|PATCH|DELETE)$/, new RegExp(`${REPO}/issues/comments/`), 'issues'],
  [/^(POST|PATCH)$/, new RegExp(`${REPO}/issues(/\\d+(/comments|/labels)?)?$`), 'issues'],
  [/^POST$/, new RegExp(`${REPO}/actions/(runs|jobs)/\\d+/(rerun|rerun-failed-jobs|cancel)`), 'actions'],
];

function pathOf(url: string): string {
  return url.startsWith('http') ? new URL(url).pathname : (url.split('?')[0] ?? url);
}

/** The permission and level a request needs, when it is one of the writes listed above. */
export function requiredScope(
  method: string,
  url: string,
): { permission: PermissionName; level: PermissionLevel } | null {
  const verb = method.toUpperCase();
  if (verb === 'GET' || verb === 'HEAD') return null;
  const path = pathOf(url);
  for (const [methods, pattern, permission] of WRITE_SCOPES) {
    if (methods.test(verb) && pattern.test(path)) return { permission, level: 'write' };
  }
  return null;
}

export function assertScopeAllows(granted: Record<string, string>, method: string, url: string): void {
  const needed = requiredScope(method, url);
  if (!needed || satisfies(granted[needed.permission], needed.level)) return;
  throw new PermissionMissingError(needed.permission, needed.level, `${method.toUpperCase()} ${pathOf(url)}`);
}
