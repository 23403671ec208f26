/**
 * Properties of the rewrite over every real workflow fixture: it is idempotent, changes only the
 * lines of its findings, and the result parses to the original document except the values it meant
 * to change.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { listWorkflowFixtureFiles, readWorkflowFixtures } from '../../fixtures/repair/index.js';
import { repairWorkflow } from '../../src/repair/rewrite.js';
import { SHA_PATTERN, type ActionFacts } from '../../src/repair/types.js';

const fixtures = readWorkflowFixtures();
const NEW_SHA = 'f'.repeat(40);

/** Every SHA-pinned action in the fixtures "runs on node20" and has a release on node24. */
function pinnedFacts(): Map<string, ActionFacts> {
  const facts = new Map<string, ActionFacts>();
  for (const { text } of fixtures) {
    for (const match of text.matchAll(/uses:\s*["']?([\w.-]+\/[\w./-]+@([0-9a-f]{40}))/g)) {
      facts.set(match[1] ?? '', { using: 'node20', target: { ref: NEW_SHA, version: 'v9.1.0' } });
    }
  }
  return facts;
}
const facts = pinnedFacts();

/** Paths where two parsed documents differ, as dotted strings. */
function differingPaths(a: unknown, b: unknown, path: string[] = []): string[] {
  if (a === b) return [];
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((key) =>
      differingPaths((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], [...path, key]),
    );
  }
  return [path.join('.')];
}

describe('the workflow fixtures', () => {
  it('are at least 40 real files, each with its source noted', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(40);
    expect(listWorkflowFixtureFiles()).toEqual(fixtures.map((fixture) => fixture.file).sort());
    for (const fixture of fixtures) expect(fixture.commit).toMatch(SHA_PATTERN);
  });

  it('cover CRLF endings, .yaml names, matrix builds, reusable workflows, composite actions, SHA pins and YAML anchors', () => {
    const texts = fixtures.map((fixture) => fixture.text);
    // CRLF as committed, not only as converted by Keel.
    expect(fixtures.some((fixture) => fixture.text.includes('\r\n') && !fixture.note?.includes('converted'))).toBe(
      true,
    );
    expect(fixtures.some((fixture) => fixture.file.endsWith('.yaml'))).toBe(true);
    expect(texts.some((text) => text.includes('matrix:'))).toBe(true);
    expect(texts.some((text) => text.includes('workflow_call'))).toBe(true);
    expect(texts.some((text) => text.includes("using: 'composite'") || text.includes('using: composite'))).toBe(true);
    expect(texts.some((text) => /@[0-9a-f]{40} # v/.test(text))).toBe(true);
    // An anchored node reused through an alias (GitHub Actions accepts anchors since September 2025).
    expect(texts.some((text) => /: &([\w-]+)\s*$/m.test(text) && /: \*[\w-]+\s*$/m.test(text))).toBe(true);
  });

  it('have something to repair in at least ten of them', () => {
    const repaired = fixtures.filter((fixture) => repairWorkflow(fixture.path, fixture.text, facts).changed);
    expect(repaired.length).toBeGreaterThanOrEqual(10);
  });
});

describe.each(fixtures.map((fixture) => [fixture.file, fixture] as const))('repairing %s', (_file, fixture) => {
  const once = repairWorkflow(fixture.path, fixture.text, facts);

  it('twice equals once', () => {
    expect(repairWorkflow(fixture.path, once.text, facts).text).toBe(once.text);
  });

  it('changes no line outside its findings, and keeps every line ending', () => {
    const before = fixture.text.split('\n');
    const after = once.text.split('\n');
    expect(after).toHaveLength(before.length);
    const allowed = new Set(once.findings.filter((finding) => finding.edits.length > 0).map((finding) => finding.line));
    const changed = before.flatMap((line, index) => (line === after[index] ? [] : [index + 1]));
    expect(changed.filter((line) => !allowed.has(line))).toEqual([]);
    for (const [index, line] of after.entries()) expect(line.endsWith('\r')).toBe(before[index]?.endsWith('\r'));
  });

  it('parses to the original document except the values it meant to change', () => {
    const intended = once.findings
      .filter((finding) => finding.edits.length > 0)
      .map((finding) => finding.yamlPath.join('.'));
    const differing = differingPaths(parse(fixture.text), parse(once.text));
    expect(differing.filter((path) => !intended.includes(path))).toEqual([]);
  });
});
