/** What the repair scan finds and how a finding changes a file. */

/** Replace `text` for the bytes [start, end) of the original file. */
export interface Edit {
  start: number;
  end: number;
  text: string;
}

export interface Finding {
  /** The retirement row (retirements.ts). */
  rowId: string;
  /** `.github/workflows/ci.yml` */
  path: string;
  /** 1-based line of the value. */
  line: number;
  /** Where the changed value sits in the parsed document. */
  yamlPath: (string | number)[];
  before: string;
  /** null: reported only, never rewritten (no safe rewrite, or a human decision). */
  after: string | null;
  edits: Edit[];
  /** Why a finding is reported only, or what else changed with it. */
  note?: string;
}

/** An action reference as written after `uses:`: `owner/repo[/path]@ref`. */
export interface ActionRef {
  /** `owner/repo` */
  repository: string;
  /** Subdirectory holding action.yml, '' at the root. */
  directory: string;
  ref: string;
}

/** What the handler learnt about one `uses:` value from the action's own action.yml. */
export interface ActionFacts {
  /** `runs.using` at the pinned ref; null for an action Keel could not read. */
  using: string | null;
  /** The ref to write instead (and the release it is, for SHA pins' comments); null: none found. */
  target: { ref: string; version: string } | null;
}

/** Keyed by `owner/repo[/path]@ref`. */
export type ActionFactsMap = ReadonlyMap<string, ActionFacts>;

export const SHA_PATTERN = /^[0-9a-f]{40}$/i;

/** Parses `owner/repo[/path]@ref`; null for local (`./`) and `docker://` references. */
export function parseActionRef(uses: string): ActionRef | null {
  const match = /^([\w.-]+\/[\w.-]+)((?:\/[^@\s]+)?)@([^\s@]+)$/.exec(uses.trim());
  if (!match) return null;
  return { repository: match[1] ?? '', directory: (match[2] ?? '').replace(/^\//, ''), ref: match[3] ?? '' };
}

/** `owner/repo[/path]` */
export function actionName(action: ActionRef): string {
  return action.directory ? `${action.repository}/${action.directory}` : action.repository;
}

/** The major version a ref names (`v3`, `v3.1.0`, `3`), null for a branch or SHA. */
export function majorOf(ref: string): number | null {
  const match = /^v?(\d+)(?:\.\d+){0,2}$/.exec(ref);
  return match ? Number(match[1]) : null;
}
