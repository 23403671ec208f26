/**
 * Which permission a write needs, for the endpoints Keel writes to. A narrowed Octokit checks its
 * own grant before sending, so a job that asks for too little fails with a clear error naming the
 * permission, and a token narrowed to read contents can never be used to write them.
 */
import { satisfies, type PermissionLevel, type PermissionName } from '../capabilities.js';
import { PermissionMissingError } from '../errors.js';

// A repository by owner/name or by id (`/repositories/:id`).
const REPO = String.raw`(?:/repos/[^/]+/[^/]+|/repositories/\d+)`;

/**
 * A write and the permission it needs; a list means any one of them will do. A comment on an
 * issue or pull request's conversation takes "Issues" or "Pull requests" write (GitHub's
 * fine-grained permissions table lists `POST /repos/{owner}/{repo}/issues/{issue_number}/comments`
 * under both: docs.github.com/en/rest/authentication/permissions-required-for-github-apps).
 */
const WRITE_SCOPES: [method: RegExp, path: RegExp, permission: PermissionName | PermissionName[]][] = [
  [/^(PUT|DELETE)$/, new RegExp(`${REPO}/contents/`), 'contents'],
  [/^(POST|PATCH|DELETE)$/, new RegExp(`${REPO}/git/(refs|commits|trees|blobs|tags)`), 'contents'],
  [/^POST$/, new RegExp(`${REPO}/statuses/`), 'statuses'],
  [/^(POST|PATCH|PUT)$/, new RegExp(`${REPO}/pulls(/\\d+)?$`), 'pull_requests'],
  [/^(POST|PATCH|DELETE)$/, new RegExp(`${REPO}/issues/comments/`), 'issues'],
  [/^POST$/, new RegExp(`${REPO}/issues/\\d+/comments$`), ['issues', 'pull_requests']],
  [/^(POST|PATCH)$/, new RegExp(`${REPO}/issues(/\\d+(/comments|/labels)?)?$`), 'issues'],
  [/^POST$/, new RegExp(`${REPO}/actions/(runs|jobs)/\\d+/(rerun|rerun-failed-jobs|cancel)`), 'actions'],
];

function pathOf(url: string): string {
  return url.startsWith('http') ? new URL(url).pathname : (url.split('?')[0] ?? url);
}

/** Octokit sends a contents path with its slashes escaped (`.github%2Fworkflows%2Fci.yml`). */
function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** Workflow files: GitHub refuses to write them without `workflows` besides `contents`. */
const WORKFLOW_FILE = new RegExp(`${REPO}/contents/\\.github/workflows/`);

/** The permissions (all at write) a request needs, when it is one of the writes listed above. */
export function requiredScopes(method: string, url: string): { permission: PermissionName; level: PermissionLevel }[] {
  return requiredScopeSets(method, url).map(([permission]) => ({
    permission: permission as PermissionName,
    level: 'write',
  }));
}

/** Each permission a request needs, as the alternatives that satisfy it (all at write). */
function requiredScopeSets(method: string, url: string): PermissionName[][] {
  const verb = method.toUpperCase();
  if (verb === 'GET' || verb === 'HEAD') return [];
  const path = pathOf(url);
  const needed: PermissionName[][] = [];
  for (const [methods, pattern, permission] of WRITE_SCOPES) {
    if (methods.test(verb) && pattern.test(path)) {
      needed.push(Array.isArray(permission) ? permission : [permission]);
      break;
    }
  }
  if (needed.some((set) => set.includes('contents')) && WORKFLOW_FILE.test(decodePath(path)))
    needed.push(['workflows']);
  return needed;
}

export function assertScopeAllows(granted: Record<string, string>, method: string, url: string): void {
  for (const alternatives of requiredScopeSets(method, url)) {
    if (!alternatives.some((permission) => satisfies(granted[permission], 'write'))) {
      throw new PermissionMissingError(
        alternatives[0] as PermissionName,
        'write',
        `${method.toUpperCase()} ${pathOf(url)}`,
      );
    }
  }
}
