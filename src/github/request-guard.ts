/**
 * Keel never merges a pull request and never writes to a branch it does not own: every write to
 * a ref goes to a `keel/` branch. This judgement runs on every request Keel's Octokit sends,
 * REST and GraphQL, before it leaves the process.
 */
import { BREAK, Kind, parse, visit, type DocumentNode, type FieldNode, type ValueNode } from 'graphql';
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

/**
 * The path as GitHub routes it: decoded, without repeated or trailing slashes, and with
 * `/repositories/:id` (a repository by id) written as `/repos/:id/:id`, so every rule below judges
 * it like `/repos/owner/name`.
 */
function routeOf(raw: string): string {
  let path = raw;
  try {
    path = decodeURIComponent(raw);
  } catch {
    // Malformed escapes: judge the path as written.
  }
  return path
    .replace(/\/{2,}/g, '/')
    .replace(/\/+$/, '')
    .replace(/\/repositories\/(\d+)(?=\/|$)/, '/repos/$1/$1');
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

const DENIED_NAME = new RegExp(`\\b(${[...REFUSED_MUTATIONS, 'createCommitOnBranch'].join('|')})\\b`);

/** Follows `$variable` references into the request's variables (or the operation's defaults). */
function resolveValue(node: ValueNode, variables: Readonly<Record<string, unknown>>): unknown {
  if (node.kind === Kind.VARIABLE) return variables[node.name.value];
  if (node.kind === Kind.OBJECT) {
    return Object.fromEntries(node.fields.map((field) => [field.name.value, resolveValue(field.value, variables)]));
  }
  if (node.kind === Kind.STRING) return node.value;
  return undefined;
}

/** The branch a createCommitOnBranch field writes to; null when it is named another way (by `id`). */
function findCommitBranch(field: FieldNode, variables: Readonly<Record<string, unknown>>): string | null {
  const input = field.arguments?.find((argument) => argument.name.value === 'input');
  const value = input ? resolveValue(input.value, variables) : undefined;
  const branch = value && typeof value === 'object' ? (value as Record<string, unknown>).branch : undefined;
  if (!branch || typeof branch !== 'object' || 'id' in branch) return null;
  const name = (branch as Record<string, unknown>).branchName;
  return typeof name === 'string' ? name : null;
}

function collectVariables(document: DocumentNode, given: unknown): Record<string, unknown> {
  const variables: Record<string, unknown> = {};
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    for (const variable of definition.variableDefinitions ?? []) {
      if (variable.defaultValue) variables[variable.variable.name.value] = resolveValue(variable.defaultValue, {});
    }
  }
  return { ...variables, ...(given && typeof given === 'object' ? (given as Record<string, unknown>) : {}) };
}

/**
 * Judges the document as GitHub will read it: every field of every operation and fragment, by its
 * name whatever its alias. A document that does not parse is refused when it names a denied field.
 */
function judgeGraphql(body: unknown): string | null {
  const query = bodyField(body, 'query');
  if (typeof query !== 'string') return null;
  let document: DocumentNode;
  try {
    document = parse(query, { noLocation: true });
  } catch {
    const denied = DENIED_NAME.exec(query);
    return denied ? `a GraphQL document that does not parse and names ${denied[1]}` : null;
  }
  const variables = collectVariables(document, bodyField(body, 'variables'));
  let reason: string | null = null;
  visit(document, {
    Field(field) {
      const name = field.name.value;
      if (REFUSED_MUTATIONS.includes(name)) reason = `the GraphQL mutation ${name}`;
      else if (name === 'createCommitOnBranch') {
        const branch = findCommitBranch(field, variables);
        if (branch === null || !isBotBranch(branch)) {
          reason = 'createCommitOnBranch on a branch that is not a keel/ branch';
        }
      }
      return reason ? BREAK : undefined;
    },
  });
  return reason;
}

/** Returns why the request is refused, or null when it may go. Pure; exported for tests. */
export function judgeRequest({ method, url, body }: GuardedRequest): string | null {
  const verb = method.toUpperCase();
  if (verb === 'GET' || verb === 'HEAD') return null;
  const path = url.startsWith('http') ? new URL(url).pathname : (url.split('?')[0] ?? url);
  const route = routeOf(path);
  if (route.endsWith('/graphql')) return judgeGraphql(body);
  for (const [pattern, refusedMethod, what] of REFUSED_REST) {
    if (verb === refusedMethod && pattern.test(route)) return `${verb} ${path}: Keel does not ${what}`;
  }
  if (verb === 'POST' && GIT_REFS_CREATE.test(route)) {
    const ref = bodyField(body, 'ref');
    if (typeof ref !== 'string' || !ref.startsWith('refs/heads/') || !isBotBranch(ref)) {
      return `${verb} ${path}: Keel only creates refs under refs/heads/${BOT_BRANCH_PREFIX} (asked for ${String(ref)})`;
    }
  }
  const refMatch = GIT_REF_PATH.exec(route);
  if (refMatch && (verb === 'PATCH' || verb === 'DELETE' || verb === 'POST')) {
    const ref = refMatch[1] ?? '';
    if (!ref.startsWith('heads/') || !isBotBranch(ref)) {
      return `${verb} ${path}: Keel only moves or deletes ${BOT_BRANCH_PREFIX} branches (not ${ref})`;
    }
  }
  if (CONTENTS_PATH.test(route) && (verb === 'PUT' || verb === 'DELETE')) {
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
