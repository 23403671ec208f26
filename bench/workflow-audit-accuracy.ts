// Workflow audit accuracy over zizmor's own test fixtures (fixtures/pr-checks/zizmor/, see
// SOURCES.md): each file is audited as if a pull request added it, and Keel's findings are compared
// with the lines zizmor's snapshots flag. The audits that ask GitHub read recorded answers instead
// (fixtures/pr-checks/action-facts/). Run alone: node --import tsx bench/workflow-audit-accuracy.ts [--cases]
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { recordedActionFacts } from '../fixtures/pr-checks/action-facts.js';
import { findWorkflowRisks } from '../src/pr-checks/rules/workflow-risks.js';
import { AUDIT_IDS } from '../src/pr-checks/workflow-audits/index.js';
import type { Finding } from '../src/pr-checks/types.js';

const DIR = new URL('../fixtures/pr-checks/zizmor/', import.meta.url);
/** Audits Keel implements that zizmor reports with its default persona and offline. */
const IMPLEMENTED = new Set<string>(AUDIT_IDS.filter((id) => id !== 'invalid-yaml'));

interface Case {
  name: string;
  content: string;
  expected: Record<string, number[]>;
}

function loadCases(): Case[] {
  return readdirSync(DIR)
    .filter((name) => name.endsWith('.expected.json'))
    .map((name) => {
      const base = name.replace(/\.expected\.json$/, '');
      const file = readdirSync(DIR).find((f) => f === `${base}.yml` || f === `${base}.yaml`) ?? `${base}.yml`;
      const { findings } = JSON.parse(readFileSync(new URL(name, DIR), 'utf8')) as {
        findings: Record<string, number[]>;
      };
      return { name: file, content: readFileSync(new URL(file, DIR), 'utf8'), expected: findings };
    });
}

/** Where a pull request would add the file: composite actions keep their name, the rest are workflows. */
const toRepoPath = (name: string): string =>
  /(?:^|__)action\.ya?ml$/.test(name) ? name.replaceAll('__', '/') : `.github/workflows/${name}`;

/** GitHub's answers for the actions the online audits ask about, recorded (fixtures/pr-checks/action-facts/). */
const actionFacts = recordedActionFacts();

function auditNew(item: Case): Finding[] {
  const all = new Set(item.content.split('\n').map((_, index) => index + 1));
  return findWorkflowRisks(toRepoPath(item.name), item.content, all, { actionFacts });
}

const percent = (hit: number, total: number): string => `${total === 0 ? 'n/a' : ((hit / total) * 100).toFixed(1)}%`;

export function measureWorkflowAudits() {
  const cases = loadCases();
  let flaggedFiles = 0;
  let flaggedHit = 0;
  let lines = 0;
  let linesHit = 0;
  let cleanFiles = 0;
  let cleanErrors = 0;
  const details: string[] = [];
  for (const item of cases) {
    const findings = auditNew(item);
    const relevant = Object.entries(item.expected).filter(([audit]) => IMPLEMENTED.has(audit));
    if (Object.keys(item.expected).length === 0) {
      cleanFiles += 1;
      const errors = findings.filter((f) => f.severity === 'failure');
      if (errors.length > 0) {
        cleanErrors += 1;
        details.push(
          `${item.name}: clean in zizmor, Keel errors ${errors.map((f) => `${f.audit}:${f.line}`).join(' ')}`,
        );
      }
    }
    if (relevant.length === 0) continue;
    flaggedFiles += 1;
    if (relevant.some(([audit]) => findings.some((f) => f.audit === audit))) flaggedHit += 1;
    for (const [audit, expectedLines] of relevant) {
      for (const line of expectedLines) {
        lines += 1;
        if (findings.some((f) => f.audit === audit && f.line === line)) linesHit += 1;
        else
          details.push(
            `${item.name}: missed ${audit}:${line} (Keel: ${
              findings
                .filter((f) => f.audit === audit)
                .map((f) => f.line)
                .join(',') || '-'
            })`,
          );
      }
    }
  }
  return { files: cases.length, flaggedFiles, flaggedHit, lines, linesHit, cleanFiles, cleanErrors, details, cases };
}

export async function benchWorkflowAuditAccuracy(): Promise<{ name: string; lines: string[] }> {
  const score = measureWorkflowAudits();
  const started = performance.now();
  for (let i = 0; i < 1000; i += 1) auditNew(score.cases[i % score.cases.length] as Case);
  const elapsed = performance.now() - started;
  const lines = [
    `${score.files} zizmor fixtures; audits compared: ${[...IMPLEMENTED].length}`,
    `files zizmor flags (Keel's audits) that Keel flags: ${score.flaggedHit}/${score.flaggedFiles} (${percent(score.flaggedHit, score.flaggedFiles)})`,
    `flagged lines Keel reports with the same audit: ${score.linesHit}/${score.lines} (${percent(score.linesHit, score.lines)})`,
    `files zizmor leaves clean that get a Keel error: ${score.cleanErrors}/${score.cleanFiles} (${percent(score.cleanErrors, score.cleanFiles)})`,
    `1,000 workflow files audited in ${elapsed.toFixed(0)} ms`,
  ];
  if (process.argv.includes('--cases')) lines.push(...score.details);
  return { name: 'Workflow audit accuracy vs zizmor (npm run audit-accuracy)', lines };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { name, lines } = await benchWorkflowAuditAccuracy();
  console.log(name);
  for (const line of lines) console.log(`  ${line}`);
}
