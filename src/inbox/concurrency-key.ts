/**
 * Which deliveries must not run at the same time: those that write the same things on GitHub.
 * Deliveries sharing a key run one at a time, in arrival order (the inbox enforces it); null means
 * the delivery needs no ordering. Pure: computed by the receiver from the event and its payload.
 *
 * Keys (ids are GitHub's numeric ids, never names, which change on rename):
 * - `pr:<repo id>:<number>`: a pull request's events, its conversation comments (sent as
 *   `issue_comment`, so `/keel check` waits for a push's audit), and workflow runs of its head commit
 * - `workflow:<repo id>:<workflow id>:<branch>`: runs of one workflow on a branch (the default
 *   branch's tracking issue)
 * - `commit:<repo id>:<sha>`: runs of a fork's pull request, which GitHub sends without it
 * - `repo:<repo id>`: pushes (and the repair they start)
 * - `issue:<repo id>:<number>`, `discussion:<repo id>:<number>`: comments and commands
 *
 * To order a new event, add a line to KEY_OF_EVENT.
 */
import { createHash } from 'node:crypto';

/** The column's width; a longer key (a very long branch name) is replaced by its hash. */
const MAX_KEY_LENGTH = 255;

type Record_ = Readonly<Record<string, unknown>>;
type KeyOf = (payload: Record_, repositoryId: number) => string | null;

function field(value: unknown, name: string): unknown {
  return value !== null && typeof value === 'object' ? (value as Record_)[name] : undefined;
}

/** A GitHub id or number: a positive integer JavaScript holds exactly, or undefined. */
export function readId(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

function readText(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

const numbered =
  (prefix: string, subject: string): KeyOf =>
  (payload, repositoryId) => {
    const number = readId(field(field(payload, subject), 'number'));
    return number === undefined ? null : `${prefix}:${repositoryId}:${number}`;
  };

/** Issue events; on a pull request (`issue.pull_request` set) they share the pull request's key. */
const issueOrPull: KeyOf = (payload, repositoryId) => {
  const issue = field(payload, 'issue');
  const number = readId(field(issue, 'number'));
  if (number === undefined) return null;
  return `${field(issue, 'pull_request') ? 'pr' : 'issue'}:${repositoryId}:${number}`;
};

const PULL_REQUEST_EVENTS = new Set(['pull_request', 'pull_request_target']);

function keyOfWorkflowRun(payload: Record_, repositoryId: number): string | null {
  const run = field(payload, 'workflow_run');
  const pulls = field(run, 'pull_requests');
  const numbers = (Array.isArray(pulls) ? pulls : [])
    .filter((pull) => readId(field(field(field(pull, 'base'), 'repo'), 'id')) === repositoryId)
    .flatMap((pull) => readId(field(pull, 'number')) ?? []);
  // A run of several pull requests (one commit, several bases) is ordered with the first.
  if (numbers.length > 0) return `pr:${repositoryId}:${Math.min(...numbers)}`;
  const sha = readText(field(run, 'head_sha'));
  if (PULL_REQUEST_EVENTS.has(String(field(run, 'event')))) return sha ? `commit:${repositoryId}:${sha}` : null;
  const workflowId = readId(field(run, 'workflow_id'));
  const branch = readText(field(run, 'head_branch'));
  return workflowId !== undefined && branch ? `workflow:${repositoryId}:${workflowId}:${branch}` : null;
}

const KEY_OF_EVENT: Readonly<Record<string, KeyOf>> = {
  pull_request: numbered('pr', 'pull_request'),
  pull_request_review: numbered('pr', 'pull_request'),
  pull_request_review_comment: numbered('pr', 'pull_request'),
  pull_request_review_thread: numbered('pr', 'pull_request'),
  workflow_run: keyOfWorkflowRun,
  push: (_payload, repositoryId) => `repo:${repositoryId}`,
  issues: issueOrPull,
  issue_comment: issueOrPull,
  discussion: numbered('discussion', 'discussion'),
  discussion_comment: numbered('discussion', 'discussion'),
};

/** The delivery's concurrency key, or null when it may run alongside anything. */
export function computeConcurrencyKey(event: string, payload: unknown): string | null {
  const keyOf = Object.hasOwn(KEY_OF_EVENT, event) ? KEY_OF_EVENT[event] : undefined;
  const repositoryId = readId(field(field(payload, 'repository'), 'id'));
  if (!keyOf || repositoryId === undefined || payload === null || typeof payload !== 'object') return null;
  const key = keyOf(payload as Record_, repositoryId);
  if (key === null || (key.length <= MAX_KEY_LENGTH && !key.includes('\0'))) return key;
  return `hash:${createHash('sha256').update(key).digest('hex')}`;
}
