import { isAlias, isMap, isNode, isScalar, isSeq, LineCounter, parseDocument, type Document, type Scalar } from 'yaml';

/** The parts of a GitHub Actions workflow (or composite action) the audits read, with 1-based lines. */
export interface Expression {
  /** The text inside `${{ }}`, trimmed. */
  text: string;
  line: number;
}

export interface Field {
  key: string;
  value: string;
  /** Line of the key (of the value for a bare scalar). */
  line: number;
  /** Line where the value starts. */
  valueLine: number;
  expressions: Expression[];
  /** The YAML value was a string (not a boolean or number). */
  isString: boolean;
  /** A block scalar (`|` or `>`). */
  isBlock: boolean;
  /** The comment after the value on its line (`uses: a/b@<sha> # v1.2.3` gives `v1.2.3`). */
  comment?: string;
}

export interface Step {
  line: number;
  /** Source offset of the step's node: a step reached through an alias keeps its anchor's. */
  offset: number;
  id?: string;
  name?: string;
  if?: Field;
  uses?: Field;
  run?: Field;
  shell?: Field;
  with: Field[];
  env: Field[];
}

export interface Permissions {
  line: number;
  /** `write-all`, `read-all`, `{}` or a map of scopes. */
  shorthand?: string;
  /** `write-all` or each scope granted `write`, with the line to report. */
  writes: { scope: string; line: number }[];
}

export interface Job {
  id: string;
  line: number;
  if?: Field;
  uses?: Field;
  /** `secrets: inherit` (or the map a reusable workflow call passes). */
  secrets?: Field;
  with: Field[];
  runsOn: Field[];
  container?: Container;
  services: Container[];
  steps: Step[];
  env: Field[];
  permissions?: Permissions;
  /** `strategy.matrix`, when the job has one. */
  matrix?: Matrix;
}

/** A job's matrix: every scalar value each key can take (rows of `include:` too). */
export interface Matrix {
  values: Map<string, Field[]>;
  /** The whole matrix (or one of its keys' lists) is an expression: its values are unknown. */
  dynamic: Field[];
}

export interface Container {
  image?: Field;
  password?: Field;
}

export interface Workflow {
  kind: 'workflow' | 'action';
  triggers: { name: string; line: number; filters: Field[] }[];
  permissions?: Permissions;
  env: Field[];
  jobs: Job[];
}

export type ParsedWorkflow = { ok: true; workflow: Workflow } | { ok: false; line: number; message: string };

interface Context {
  doc: Document;
  source: string;
  lines: LineCounter;
}

const EXPRESSION = /\$\{\{([\s\S]*?)\}\}/g;

/** Parses workflow (or `action.yml`) YAML into the fields the audits need; invalid YAML yields the parser's line. */
export function parseWorkflow(source: string): ParsedWorkflow {
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  const error = doc.errors[0];
  if (error) {
    return { ok: false, line: lines.linePos(error.pos[0]).line, message: error.message.split('\n')[0] ?? '' };
  }
  const ctx: Context = { doc, source, lines };
  const root = doc.contents;
  const runs = getValue(ctx, root, 'runs');
  if (runs !== undefined && getValue(ctx, root, 'jobs') === undefined) {
    // A composite action: its steps are read as one job's.
    return {
      ok: true,
      workflow: { kind: 'action', triggers: [], env: [], jobs: [readJob(ctx, 'runs', getLine(ctx, runs), runs)] },
    };
  }
  return {
    ok: true,
    workflow: {
      kind: 'workflow',
      triggers: readTriggers(ctx, getValue(ctx, root, 'on')),
      permissions: readPermissions(ctx, findPair(ctx, root, 'permissions')),
      env: readFields(ctx, getValue(ctx, root, 'env')),
      jobs: listPairs(ctx, getValue(ctx, root, 'jobs')).map(({ key, keyLine, value }) =>
        readJob(ctx, key, keyLine, value),
      ),
    },
  };
}

function readJob(ctx: Context, id: string, line: number, node: unknown): Job {
  const stepsNode = resolve(ctx, getValue(ctx, node, 'steps'));
  const steps = isSeq(stepsNode) ? stepsNode.items.map((item) => readStep(ctx, item)) : [];
  const runsOn = resolve(ctx, getValue(ctx, node, 'runs-on'));
  const runsOnNode = isMap(runsOn) ? resolve(ctx, getValue(ctx, runsOn, 'labels')) : runsOn;
  return {
    id,
    line,
    if: readField(ctx, node, 'if'),
    uses: readField(ctx, node, 'uses'),
    secrets: readField(ctx, node, 'secrets'),
    with: readFields(ctx, getValue(ctx, node, 'with')),
    runsOn: isSeq(runsOnNode)
      ? runsOnNode.items.flatMap((item) => {
          const scalar = resolve(ctx, item);
          return isScalar(scalar) ? [toField(ctx, 'runs-on', getLine(ctx, scalar), scalar)] : [];
        })
      : readFields(ctx, isScalar(runsOnNode) ? runsOnNode : undefined),
    container: readContainer(ctx, getValue(ctx, node, 'container')),
    services: listPairs(ctx, getValue(ctx, node, 'services')).flatMap(({ value }) => readContainer(ctx, value) ?? []),
    steps,
    env: readFields(ctx, getValue(ctx, node, 'env')),
    permissions: readPermissions(ctx, findPair(ctx, node, 'permissions')),
    matrix: readMatrix(ctx, getValue(ctx, getValue(ctx, node, 'strategy'), 'matrix')),
  };
}

function readMatrix(ctx: Context, node: unknown): Matrix | undefined {
  const resolved = resolve(ctx, node);
  if (resolved === undefined || resolved === null) return undefined;
  const matrix: Matrix = { values: new Map(), dynamic: [] };
  const add = (key: string, field: Field) => matrix.values.set(key, [...(matrix.values.get(key) ?? []), field]);
  if (isScalar(resolved)) {
    matrix.dynamic.push(toField(ctx, 'matrix', getLine(ctx, resolved), resolved));
    return matrix;
  }
  for (const { key, keyLine, value } of listPairs(ctx, resolved)) {
    if (key === 'exclude') continue;
    const list = resolve(ctx, value);
    if (key === 'include') {
      const rows = isSeq(list) ? list.items : isScalar(list) ? [] : [list];
      if (isScalar(list)) matrix.dynamic.push(toField(ctx, key, keyLine, list));
      for (const row of rows) {
        for (const pair of listPairs(ctx, row)) {
          const scalar = resolve(ctx, pair.value);
          if (isScalar(scalar)) add(pair.key, toField(ctx, pair.key, pair.keyLine, scalar));
        }
      }
    } else if (isSeq(list)) {
      for (const item of list.items) {
        const scalar = resolve(ctx, item);
        if (isScalar(scalar)) add(key, toField(ctx, key, getLine(ctx, scalar), scalar));
      }
    } else if (isScalar(list)) {
      // `os: ${{ fromJSON(inputs.os) }}`: this key's values are computed.
      add(key, toField(ctx, key, keyLine, list));
    }
  }
  return matrix;
}

function readContainer(ctx: Context, node: unknown): Container | undefined {
  const resolved = resolve(ctx, node);
  if (resolved === undefined || resolved === null) return undefined;
  if (isScalar(resolved)) return { image: toField(ctx, 'image', getLine(ctx, resolved), resolved) };
  const credentials = getValue(ctx, resolved, 'credentials');
  return { image: readField(ctx, resolved, 'image'), password: readField(ctx, credentials, 'password') };
}

function readStep(ctx: Context, item: unknown): Step {
  const node = resolve(ctx, item);
  return {
    line: getLine(ctx, node),
    offset: isNode(node) && node.range ? node.range[0] : -1,
    id: readField(ctx, node, 'id')?.value,
    name: readField(ctx, node, 'name')?.value,
    if: readField(ctx, node, 'if'),
    uses: readField(ctx, node, 'uses'),
    run: readField(ctx, node, 'run'),
    shell: readField(ctx, node, 'shell'),
    with: readFields(ctx, getValue(ctx, node, 'with')),
    env: readFields(ctx, getValue(ctx, node, 'env')),
  };
}

function readTriggers(ctx: Context, node: unknown): Workflow['triggers'] {
  const resolved = resolve(ctx, node);
  const named = (scalar: Scalar) => ({ name: String(scalar.value), line: getLine(ctx, scalar), filters: [] });
  if (isScalar(resolved)) return [named(resolved)];
  if (isSeq(resolved)) {
    return resolved.items.flatMap((item) => {
      const trigger = resolve(ctx, item);
      return isScalar(trigger) ? [named(trigger)] : [];
    });
  }
  return listPairs(ctx, resolved).map(({ key, keyLine, value }) => ({
    name: key,
    line: keyLine,
    filters: listPairs(ctx, value).flatMap(({ key: filter, keyLine: filterLine, value: list }) => {
      const seq = resolve(ctx, list);
      const items = isSeq(seq) ? seq.items.map((i) => resolve(ctx, i)) : [seq];
      return items.flatMap((i) => (isScalar(i) ? [toField(ctx, filter, filterLine, i)] : []));
    }),
  }));
}

function readPermissions(ctx: Context, pair: PairInfo | undefined): Permissions | undefined {
  if (!pair) return undefined;
  const value = resolve(ctx, pair.value);
  if (isScalar(value)) {
    const shorthand = String(value.value);
    return {
      line: pair.keyLine,
      shorthand,
      writes: shorthand === 'write-all' ? [{ scope: 'write-all', line: getLine(ctx, value) }] : [],
    };
  }
  const pairs = listPairs(ctx, value);
  const writes = pairs.flatMap(({ key, keyLine, value: level }) => {
    const resolved = resolve(ctx, level);
    return isScalar(resolved) && resolved.value === 'write' ? [{ scope: key, line: keyLine }] : [];
  });
  return { line: pair.keyLine, ...(pairs.length === 0 ? { shorthand: '{}' } : {}), writes };
}

/** Fields of a map of scalars (`with:`, `env:`); a bare scalar (`env: ${{ fromJSON(…) }}`) is one field. */
function readFields(ctx: Context, node: unknown): Field[] {
  const resolved = resolve(ctx, node);
  if (isScalar(resolved)) return [toField(ctx, '', getLine(ctx, resolved), resolved)];
  return listPairs(ctx, resolved).flatMap(({ key, keyLine, value }) => {
    const scalar = resolve(ctx, value);
    return isScalar(scalar) ? [toField(ctx, key, keyLine, scalar)] : [];
  });
}

function readField(ctx: Context, node: unknown, key: string): Field | undefined {
  const pair = findPair(ctx, node, key);
  const scalar = resolve(ctx, pair?.value);
  return pair && isScalar(scalar) ? toField(ctx, key, pair.keyLine, scalar) : undefined;
}

function toField(ctx: Context, key: string, line: number, scalar: Scalar): Field {
  const value = scalar.value === null || scalar.value === undefined ? '' : String(scalar.value);
  return {
    key,
    value,
    line,
    valueLine: getLine(ctx, scalar),
    expressions: findExpressions(ctx, scalar),
    isString: typeof scalar.value === 'string',
    isBlock: scalar.type === 'BLOCK_LITERAL' || scalar.type === 'BLOCK_FOLDED',
    ...readLineComment(ctx, scalar),
  };
}

/** The comment following a one-line value on the same line (read from the source, not from YAML's attachment). */
function readLineComment(ctx: Context, scalar: Scalar): { comment?: string } {
  const end = scalar.range?.[1];
  if (end === undefined || scalar.type === 'BLOCK_LITERAL' || scalar.type === 'BLOCK_FOLDED') return {};
  const rest = ctx.source.slice(end, ctx.source.indexOf('\n', end) === -1 ? undefined : ctx.source.indexOf('\n', end));
  const comment = /^[ \t]*#(.*)$/.exec(rest)?.[1]?.trim();
  return comment ? { comment } : {};
}

/** Expressions are located in the raw source, so a block scalar reports the exact line. */
function findExpressions(ctx: Context, scalar: Scalar): Expression[] {
  const range = scalar.range;
  if (!range) return [];
  const raw = ctx.source.slice(range[0], range[1]);
  if (!raw.includes('${{')) return [];
  return [...raw.matchAll(EXPRESSION)].map((match) => ({
    text: (match[1] ?? '').trim(),
    line: ctx.lines.linePos(range[0] + match.index).line,
  }));
}

interface PairInfo {
  key: string;
  keyLine: number;
  value: unknown;
}

function resolve(ctx: Context, node: unknown): unknown {
  return isAlias(node) ? node.resolve(ctx.doc) : node;
}

function listPairs(ctx: Context, node: unknown): PairInfo[] {
  const map = resolve(ctx, node);
  if (!isMap(map)) return [];
  return map.items.flatMap((pair) =>
    isScalar(pair.key) ? [{ key: String(pair.key.value), keyLine: getLine(ctx, pair.key), value: pair.value }] : [],
  );
}

function findPair(ctx: Context, node: unknown, key: string): PairInfo | undefined {
  return listPairs(ctx, node).find((pair) => pair.key === key);
}

function getValue(ctx: Context, node: unknown, key: string): unknown {
  return findPair(ctx, node, key)?.value;
}

function getLine(ctx: Context, node: unknown): number {
  const range = isNode(node) ? node.range : undefined;
  return range ? ctx.lines.linePos(range[0]).line : 1;
}
