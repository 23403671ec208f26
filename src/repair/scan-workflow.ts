/**
 * The pure scan: one workflow (or composite action) file's text → its findings, each with the
 * byte edits that repair it. Positions come from the `yaml` parser, so a rewrite touches only the
 * scalar it changes; aliases are never followed (their anchor is changed once, where it is).
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type Scalar, type YAMLMap } from 'yaml';
import { judgeRun } from './edit-run.js';
import { judgeUses } from './edit-uses.js';
import { NODE24_MAJORS, RETIREMENTS } from './retirements.js';
import type { ActionFactsMap, Finding } from './types.js';

const RUNNER_ROWS = RETIREMENTS.filter((row) => row.kind === 'runner-label');
const ARTIFACT_ROWS = new Set(['upload-artifact-below-v4']);
const FORK_TRIGGERS = new Set(['pull_request_target', 'workflow_run']);
const PR_HEAD = /github\.(event\.pull_request\.head|head_ref|event\.workflow_run\.head)/;
const CHECKOUT_ADVICE =
  'Build and test fork code with the `pull_request` trigger instead; keep pull_request_target / workflow_run jobs to trusted code, treating anything from the pull request as data.';

type Path = (string | number)[];

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
/** Text without any of these cannot have a finding without facts: it is not parsed at all. */
const CANDIDATE = new RegExp(
  [
    ...RUNNER_ROWS.map((row) => escape(row.label ?? '')),
    ...Object.keys(NODE24_MAJORS).map((action) => `${escape(action)}@`),
    '::(set-output|save-state|set-env|add-path)',
  ].join('|'),
);

function mayHaveFindings(text: string, facts: ActionFactsMap): boolean {
  if (CANDIDATE.test(text)) return true;
  for (const uses of facts.keys()) if (text.includes(uses)) return true;
  return false;
}

interface ScanContext {
  path: string;
  text: string;
  facts: ActionFactsMap;
  lines: LineCounter;
  findings: Finding[];
}

function get(map: unknown, key: string): unknown {
  return isMap(map) ? map.get(key, true) : undefined;
}

function scalarString(node: unknown): Scalar<string> | null {
  return isScalar(node) && typeof node.value === 'string' && node.range ? (node as Scalar<string>) : null;
}

function lineOf(context: ScanContext, offset: number): number {
  return context.lines.linePos(offset).line;
}

function triggersOf(root: unknown): Set<string> {
  const on = get(root, 'on') ?? get(root, true as unknown as string);
  if (isScalar(on)) return new Set([String(on.value)]);
  if (isSeq(on)) return new Set(on.items.map((item) => String(isScalar(item) ? item.value : '')));
  if (isMap(on)) return new Set(on.items.map((pair) => String(isScalar(pair.key) ? pair.key.value : '')));
  return new Set();
}

function labelFinding(context: ScanContext, node: Scalar<string>, yamlPath: Path): void {
  const row = RUNNER_ROWS.find((candidate) => candidate.label === node.value.trim());
  if (!row || !node.range || !row.replacement) return;
  const [start, end] = node.range;
  context.findings.push({
    rowId: row.id,
    path: context.path,
    line: lineOf(context, start),
    yamlPath,
    before: node.value,
    after: row.replacement,
    edits: [{ start, end, text: context.text.slice(start, end).replace(node.value, row.replacement) }],
  });
}

function scanRunsOn(context: ScanContext, runsOn: unknown, yamlPath: Path): void {
  const labels = isMap(runsOn) ? get(runsOn, 'labels') : runsOn;
  const labelPath = isMap(runsOn) ? [...yamlPath, 'labels'] : yamlPath;
  const single = scalarString(labels);
  if (single) return labelFinding(context, single, labelPath);
  if (!isSeq(labels)) return;
  // A self-hosted runner may carry any label; it is not GitHub's image.
  if (labels.items.some((item) => isScalar(item) && item.value === 'self-hosted')) return;
  labels.items.forEach((item, index) => {
    const label = scalarString(item);
    if (label) labelFinding(context, label, [...labelPath, index]);
  });
}

function scanMatrixValues(context: ScanContext, node: unknown, yamlPath: Path): void {
  const leaf = scalarString(node);
  if (leaf) return labelFinding(context, leaf, yamlPath);
  if (isMap(node)) {
    for (const pair of node.items) {
      if (isScalar(pair.key)) scanMatrixValues(context, pair.value, [...yamlPath, String(pair.key.value)]);
    }
  } else if (isSeq(node)) node.items.forEach((item, index) => scanMatrixValues(context, item, [...yamlPath, index]));
}

/** `-${{ matrix.a }}-${{ matrix.b }}` for a matrix job's artifact name, so v4's immutable artifacts do not collide. */
function matrixSuffix(matrix: unknown): string {
  if (!isMap(matrix)) return '-${{ strategy.job-index }}';
  let keys = matrix.items
    .map((pair) => String(isScalar(pair.key) ? pair.key.value : ''))
    .filter((key) => key && key !== 'include' && key !== 'exclude');
  const include = get(matrix, 'include');
  if (keys.length === 0 && isSeq(include) && isMap(include.items[0])) {
    keys = include.items[0].items.map((pair) => String(isScalar(pair.key) ? pair.key.value : ''));
  }
  return keys.length === 0 ? '-${{ strategy.job-index }}' : keys.map((key) => `-\${{ matrix.${key} }}`).join('');
}

function scanArtifactName(context: ScanContext, step: YAMLMap, matrix: unknown, yamlPath: Path): void {
  const name = scalarString(get(get(step, 'with'), 'name'));
  if (!name?.range || name.value.includes('${{')) return;
  const [start, end] = name.range;
  const source = context.text.slice(start, end);
  const suffix = matrixSuffix(matrix);
  const quoted = source.length - name.value.length === 2;
  const text = quoted ? `${source.slice(0, -1)}${suffix}${source.slice(-1)}` : `${source}${suffix}`;
  context.findings.push({
    rowId: 'upload-artifact-below-v4',
    path: context.path,
    line: lineOf(context, start),
    yamlPath: [...yamlPath, 'with', 'name'],
    before: `name: ${name.value}`,
    after: `name: ${name.value}${suffix}`,
    edits: [{ start, end, text }],
    note: 'Artifacts are immutable from v4: each matrix job now uploads under its own name.',
  });
}

interface JobScope {
  posixShell: boolean;
  matrix: unknown;
  forkTriggered: boolean;
}

function scanStep(context: ScanContext, step: unknown, yamlPath: Path, scope: JobScope): void {
  if (!isMap(step)) return;
  const uses = scalarString(get(step, 'uses'));
  if (uses?.range) {
    const verdict = judgeUses({ text: context.text, node: uses, facts: context.facts });
    if (verdict) {
      context.findings.push({
        rowId: verdict.rowId,
        path: context.path,
        line: lineOf(context, uses.range[0]),
        yamlPath: [...yamlPath, 'uses'],
        before: verdict.before,
        after: verdict.after,
        edits: verdict.edits,
        ...(verdict.note ? { note: verdict.note } : {}),
      });
      if (ARTIFACT_ROWS.has(verdict.rowId) && verdict.after && scope.matrix !== undefined) {
        scanArtifactName(context, step, scope.matrix, yamlPath);
      }
    }
    if (scope.forkTriggered && uses.value.startsWith('actions/checkout@')) {
      const ref = scalarString(get(get(step, 'with'), 'ref'));
      if (ref && PR_HEAD.test(ref.value)) {
        context.findings.push({
          rowId: 'checkout-pr-head',
          path: context.path,
          line: lineOf(context, ref.range?.[0] ?? uses.range[0]),
          yamlPath: [...yamlPath, 'with', 'ref'],
          before: `ref: ${ref.value}`,
          after: null,
          edits: [],
          note: CHECKOUT_ADVICE,
        });
      }
    }
  }
  const run = scalarString(get(step, 'run'));
  if (run) {
    const shell = scalarString(get(step, 'shell'))?.value;
    const posix = shell ? /^(bash|sh)\b/.test(shell) : scope.posixShell;
    for (const verdict of judgeRun(context.text, run, posix)) {
      context.findings.push({
        rowId: verdict.rowId,
        path: context.path,
        line: lineOf(context, verdict.offset),
        yamlPath: [...yamlPath, 'run'],
        before: verdict.before,
        after: verdict.after,
        edits: verdict.edits,
        ...(verdict.note ? { note: verdict.note } : {}),
      });
    }
  }
}

function defaultShellOf(node: unknown): string | undefined {
  return scalarString(get(get(get(node, 'defaults'), 'run'), 'shell'))?.value;
}

function scanSteps(context: ScanContext, steps: unknown, yamlPath: Path, scope: JobScope): void {
  if (!isSeq(steps)) return;
  steps.items.forEach((step, index) => scanStep(context, step, [...yamlPath, index], scope));
}

/** Every finding in one file; a file that does not parse has none (GitHub rejects it anyway). */
export function scanWorkflow(path: string, text: string, facts: ActionFactsMap): Finding[] {
  if (!mayHaveFindings(text, facts)) return [];
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, uniqueKeys: false, schema: 'failsafe' });
  if (document.errors.length > 0) return [];
  const root = document.contents;
  const context: ScanContext = { path, text, facts, lines, findings: [] };
  const forkTriggered = [...triggersOf(root)].some((trigger) => FORK_TRIGGERS.has(trigger));
  const workflowShell = defaultShellOf(root);
  const jobs = get(root, 'jobs');
  if (isMap(jobs)) {
    for (const pair of jobs.items) {
      if (!isScalar(pair.key) || !isMap(pair.value)) continue;
      const job = pair.value;
      const jobPath: Path = ['jobs', String(pair.key.value)];
      const runsOn = get(job, 'runs-on');
      scanRunsOn(context, runsOn, [...jobPath, 'runs-on']);
      const matrix = get(get(job, 'strategy'), 'matrix');
      if (matrix !== undefined) scanMatrixValues(context, matrix, [...jobPath, 'strategy', 'matrix']);
      const shell = defaultShellOf(job) ?? workflowShell;
      const runner = JSON.stringify((runsOn as Node | undefined)?.toJSON?.() ?? '');
      const runners = runner.includes('matrix')
        ? `${runner}${JSON.stringify((matrix as Node | undefined)?.toJSON?.() ?? '')}`
        : runner;
      const posixShell = shell ? /^(bash|sh)\b/.test(shell) : !/windows/i.test(runners);
      scanSteps(context, get(job, 'steps'), [...jobPath, 'steps'], { posixShell, matrix, forkTriggered });
    }
  }
  // A composite action's steps (action.yml).
  const runs = get(root, 'runs');
  if (isMap(runs)) {
    scanSteps(context, get(runs, 'steps'), ['runs', 'steps'], {
      posixShell: true,
      matrix: undefined,
      forkTriggered: false,
    });
  }
  return context.findings.sort((a, b) => a.line - b.line);
}
