/**
 * Keel never merges a pull request and never writes to a branch it does not own: every write to
 * a ref goes to a `keel/` branch. This judgement runs on every request Keel's Octokit sends,
 * REST and GraphQL, before it leaves the process.
 */
import { GuardError } from '../errors.js';

export const BOT_BRANCH_PREFIX = 'keel/';

export interface GuardedRequest {
  method: string;
  /** Absolute URL or path; a GHES /api/v3 prefix is fine. */
  url: string;
  body?: unknown;
}

const REPO = String.raw`/repos/[^/]+/[^/]+`;
const REFUSED_REST: [RegExp, string, string][] = [
  [new RegExp(`${REPO}/pulls/\\d+/merge$`), 'PUT', 'merge a pull request'],
  [new RegExp(`${REPO}/merges$`), 'POST', 'merge a branch into another'],
  [new RegExp(`${REPO}/pulls/\\d+/update-branch$`), 'PUT', "merge the base branch into a pull request's branch"],
  [new RegExp(`${REPO}/merge-upstream$`), 'POST', 'sync a fork branch with its upstream'],
  [new RegExp(`${REPO}/branches/[^/]+/rename$`), 'POST', 'rename a branch'],
];
const GIT_REF_PATH = new RegExp(`${REPO}/git/refs/(.+)$`);
const GIT_REFS_CREATE = new RegExp(`${REPO}/git/refs$`);
const CONTENTS_PATH = new RegExp(`${REPO}/contents(/.*)?$`);

const REFUSED_MUTATIONS = [
  'mergePullRequest',
  'enablePullRequestAutoMerge',
  'enqueuePullRequest',
  'mergeBranch',
  'updatePullRequestBranch',
  'createRef',
  'updateRef',
  'updateRefs',
  'deleteRef',
];

function pathOf(url: string): string {
  const path = url.startsWith('http') ? new URL(url).pathname : (url.split('?')[0] ?? url);
  return path.replace(/\/+$/, '');
}

function isBotBranch(ref: string): boolean {
  const branch = ref.replace(/^refs\//, '').replace(/^heads\//, '');
  return branch.startsWith(BOT_BRANCH_PREFIX) && branch.length > BOT_BRANCH_PREFIX.length && !branch.includes('..');
}

function bodyField(body: unknown, field: string): unknown {
  if (typeof body === 'string') {
    try {
      return bodyField(JSON.parse(body) as unknown, field);
    } catch {
      return undefined;
    }
  }
  return body && typeof body === 'object' ? (body as Record<string, unknown>)[field] : undefined;
}

/**
 * Every branch name given to createCommitOnBranch, in the query text (literal or `$variable`) or
 * its variables; null when a branch is named another way (by `id`), which Keel cannot judge.
 */
function findBranchNames(query: string, variables: unknown): string[] | null {
  if (/\bbranch\s*:\s*\{[^}]*\bid\s*:/.test(query)) return null;
  const named = (variables && typeof variables === 'object' ? variables : {}) as Record<string, unknown>;
  const names = [...query.matchAll(/branchName\s*:\s*(?:"([^"]*)"|\$(\w+))/g)].map((match) =>
    match[1] !== undefined ? match[1] : String(named[match[2] ?? ''] ?? ''),
  );
  let byId = false;
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        if (key === 'branch' && inner && typeof inner === 'object' && 'id' in inner) byId = true;
        if (key === 'branchName' && typeof inner === 'string') names.push(inner);
        else visit(inner);
      }
    }
  };
  visit(variables);
  return byId ? null : names;
}

function judgeGraphql(body: unknown): string | null {
  const query = bodyField(body, 'query');
  if (typeof query !== 'string' || !/\bmutation\b/.test(query)) return null;
  for (const mutation of REFUSED_MUTATIONS) {
    if (new RegExp(`\\b${mutation}\\s*\\(`).test(query)) return `the GraphQL mutation ${mutation}`;
  }
  const commits = query.match(/\bcreateCommitOnBranch\s*\(/g)?.length ?? 0;
  if (commits > 0) {
    const branches = findBranchNames(query, bodyField(body, 'variables'));
    if (!branches || branches.length < commits || !branches.every(isBotBranch)) {
      return 'createCommitOnBranch on a branch that is not a keel/ branch';
    }
  }
  return null;
}

/** Returns why the request is refused, or null when it may go. Pure; exported for tests. */
export function judgeRequest({ method, url, body }: GuardedRequest): string | null {
  const verb = method.toUpperCase();
  if (verb === 'GET' || verb === 'HEAD') return null;
  const path = pathOf(url);
  if (path.endsWith('/graphql')) return judgeGraphql(body);
  for (const [pattern, refusedMethod, what] of REFUSED_REST) {
    if (verb === refusedMethod && pattern.test(path)) return `${verb} ${path}: Keel does not ${what}`;
  }
  if (verb === 'POST' && GIT_REFS_CREATE.test(path)) {
    const ref = bodyField(body, 'ref');
    if (typeof ref !== 'string' || !ref.startsWith('refs/heads/') || !isBotBranch(ref)) {
      return `${verb} ${path}: Keel only creates refs under refs/heads/${BOT_BRANCH_PREFIX} (asked for ${String(ref)})`;
    }
  }
  const refMatch = GIT_REF_PATH.exec(path);
  if (refMatch && (verb === 'PATCH' || verb === 'DELETE' || verb === 'POST')) {
    const ref = decodeURIComponent(refMatch[1] ?? '');
    if (!ref.startsWith('heads/') || !isBotBranch(ref)) {
      return `${verb} ${path}: Keel only moves or deletes ${BOT_BRANCH_PREFIX} branches (not ${ref})`;
    }
  }
  if (CONTENTS_PATH.test(path) && (verb === 'PUT' || verb === 'DELETE')) {
    const branch = bodyField(body, 'branch');
    if (typeof branch !== 'string') {
      return `${verb} ${path}: a contents write without "branch" goes to the default branch`;
    }
    if (!isBotBranch(branch))
      return `${verb} ${path}: Keel only commits to ${BOT_BRANCH_PREFIX} branches (not ${branch})`;
  }
  return null;
}

/** Throws GuardError when `judgeRequest` refuses. */
export function assertRequestAllowed(request: GuardedRequest): void {
  const reason = judgeRequest(request);
  if (reason) throw new GuardError(`Refused before sending: ${reason}.`);
}
