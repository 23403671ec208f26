/**
 * Findings on `uses:` values: actions below a working major, and JavaScript actions on an old
 * Node. The rewrite changes the ref inside the scalar as written (its quotes stay) and, for a
 * ref pinned to a SHA, keeps the pin: `@<new sha> # <new version>`, the version comment updated
 * in place or added when there was none.
 */
import type { Scalar } from 'yaml';
import { NODE24_MAJORS, RETIREMENTS } from './retirements.js';
import {
  actionName,
  majorOf,
  parseActionRef,
  SHA_PATTERN,
  type ActionFacts,
  type ActionFactsMap,
  type ActionRef,
  type Edit,
} from './types.js';

export interface UsesContext {
  text: string;
  node: Scalar;
  facts: ActionFactsMap;
}

export interface UsesVerdict {
  rowId: string;
  action: ActionRef;
  before: string;
  after: string | null;
  edits: Edit[];
  note?: string;
}

const VERSION_IN_COMMENT = /v?\d+(?:\.\d+){0,2}/;

/** The version a SHA pin's trailing comment names (`# v4.1.1`, `# pin@v4`), with its offset. */
export function readPinComment(text: string, valueEnd: number): { start: number; version: string } | null {
  const lineEnd = text.indexOf('\n', valueEnd);
  const rest = text.slice(valueEnd, lineEnd === -1 ? text.length : lineEnd);
  const hash = /^[ \t]+#/.exec(rest);
  if (!hash) return null;
  const match = VERSION_IN_COMMENT.exec(rest.slice(hash[0].length));
  if (!match) return null;
  return { start: valueEnd + hash[0].length + match.index, version: match[0] };
}

/** What the runner image knows without asking GitHub: official actions below their Node 24 major. */
export function knownFacts(action: ActionRef): ActionFacts | undefined {
  const node24 = NODE24_MAJORS[action.repository];
  const major = majorOf(action.ref);
  if (node24 === undefined || action.directory || major === null) return undefined;
  if (major >= node24) return { using: 'node24', target: null };
  return { using: 'node20', target: { ref: `v${node24}`, version: `v${node24}` } };
}

function currentMajor(action: ActionRef, pin: { version: string } | null): number | null {
  if (SHA_PATTERN.test(action.ref)) return pin ? majorOf(pin.version) : null;
  return majorOf(action.ref);
}

function whichRow(action: ActionRef, facts: ActionFacts | undefined, major: number | null): string | null {
  const versionRow = RETIREMENTS.find(
    (row) =>
      row.kind === 'action-version' &&
      row.action === action.repository &&
      !action.directory &&
      major !== null &&
      major < (row.minMajor ?? 0),
  );
  if (versionRow) return versionRow.id;
  const runtime = RETIREMENTS.find((row) => row.kind === 'node-runtime');
  if (runtime && facts?.using && runtime.runtimes?.includes(facts.using)) return runtime.id;
  return null;
}

/** The finding for one `uses:` scalar, or null when nothing GitHub retired applies to it. */
export function judgeUses({ text, node, facts }: UsesContext): UsesVerdict | null {
  if (typeof node.value !== 'string' || !node.range) return null;
  const uses = node.value.trim();
  const action = parseActionRef(uses);
  if (!action) return null;
  const [start, valueEnd] = node.range;
  const pinned = SHA_PATTERN.test(action.ref);
  const pin = pinned ? readPinComment(text, valueEnd) : null;
  const known = facts.get(uses) ?? (pinned ? undefined : knownFacts(action));
  const rowId = whichRow(action, known, currentMajor(action, pin));
  if (!rowId) return null;
  const before = pin ? `${uses} # ${pin.version}` : uses;
  const target = known?.target ?? null;
  if (!target || (pinned && !SHA_PATTERN.test(target.ref))) {
    return {
      rowId,
      action,
      before,
      after: null,
      edits: [],
      note: 'No release of this action fixes it yet, or it could not be read; update it by hand.',
    };
  }
  const newUses = `${actionName(action)}@${target.ref}`;
  const source = text.slice(start, valueEnd);
  const edits: Edit[] = [{ start, end: valueEnd, text: source.replace(uses, newUses) }];
  if (pinned) {
    if (pin) edits.push({ start: pin.start, end: pin.start + pin.version.length, text: target.version });
    else edits.push({ start: valueEnd, end: valueEnd, text: ` # ${target.version}` });
  }
  const after = pinned ? `${newUses} # ${target.version}` : newUses;
  return { rowId, action, before, after, edits };
}
