import { isAlias, isMap, isNode, isScalar, isSeq, LineCounter, parseDocument, type Document, type Scalar } from 'yaml';

/** The part of a GitHub Actions workflow the risk rule reads, with 1-based line numbers. */
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
  expressions: Expression[];
}

export interface Step {
  line: number;
  uses?: Field;
  run?: Field;
  with: Field[];
  env: Field[];
}

export interface Permissions {
  /** `write-all` or each scope granted `write`, with the line to report. */
  writes: { scope: string; line: number }[];
}

export interface Job {
  id: string;
  line: number;
  uses?: Field;
  steps: Step[];
  env: Field[];
  permissions?: Permissions;
}

export interface Workflow {
  triggers: { name: string; line: number }[];
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

/** Parses workflow YAML into the fields the risk rule needs; invalid YAML yields the parser's line. */
export function parseWorkflow(source: string): ParsedWorkflow {
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: false });
  const error = doc.errors[0];
  if (error) {
    return {
      ok: false,
      line: lines.linePos(error.pos[0]).line,
      message: error.message.split('\n')[0] ?? '',
    };
  }
  const ctx: Context = { doc, source, lines };
  const root = doc.contents;
  return {
    ok: true,
    workflow: {
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
  return {
    id,
    line,
    uses: readField(ctx, node, 'uses'),
    steps,
    env: readFields(ctx, getValue(ctx, node, 'env')),
    permissions: readPermissions(ctx, findPair(ctx, node, 'permissions')),
  };
}

function readStep(ctx: Context, node: unknown): Step {
  return {
    line: getLine(ctx, resolve(ctx, node)),
    uses: readField(ctx, node, 'uses'),
    run: readField(ctx, node, 'run'),
    with: readFields(ctx, getValue(ctx, node, 'with')),
    env: readFields(ctx, getValue(ctx, node, 'env')),
  };
}

function readTriggers(ctx: Context, node: unknown): Workflow['triggers'] {
  const resolved = resolve(ctx, node);
  if (isScalar(resolved)) return [{ name: String(resolved.value), line: getLine(ctx, resolved) }];
  if (isSeq(resolved)) {
    return resolved.items.flatMap((item) => {
      const trigger = resolve(ctx, item);
      return isScalar(trigger) ? [{ name: String(trigger.value), line: getLine(ctx, trigger) }] : [];
    });
  }
  return listPairs(ctx, resolved).map(({ key, keyLine }) => ({ name: key, line: keyLine }));
}

function readPermissions(ctx: Context, pair: PairInfo | undefined): Permissions | undefined {
  if (!pair) return undefined;
  const value = resolve(ctx, pair.value);
  if (isScalar(value)) {
    return {
      writes: value.value === 'write-all' ? [{ scope: 'write-all', line: getLine(ctx, value) }] : [],
    };
  }
  const writes = listPairs(ctx, value).flatMap(({ key, keyLine, value: level }) => {
    const resolved = resolve(ctx, level);
    return isScalar(resolved) && resolved.value === 'write' ? [{ scope: key, line: keyLine }] : [];
  });
  return { writes };
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
  return { key, value, line, expressions: findExpressions(ctx, scalar) };
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
