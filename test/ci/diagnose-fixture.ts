import { createReadStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { diagnoseJobLog, type Diagnosis } from '../../src/ci/diagnose.js';
import { LOG_FIXTURES, jobOf } from '../../fixtures/ci/jobs.js';

const LOGS = fileURLToPath(new URL('../../fixtures/ci/logs/', import.meta.url));

/** Diagnoses fixtures/ci/logs/<name>.log with its job's step list, read in small odd-sized chunks. */
export async function diagnoseFixture(name: string): Promise<Diagnosis> {
  const fixture = LOG_FIXTURES.find((candidate) => candidate.name === name);
  if (!fixture) throw new Error(`no fixture named ${name}`);
  return diagnoseJobLog({
    workflow: fixture.workflow,
    job: jobOf(fixture),
    logUrl: `https://github.com/acme/app/actions/runs/1/job/${jobOf(fixture).id}`,
    // 61-byte chunks split lines and multi-byte characters (✓, ❯, ⎯) at arbitrary points.
    lines: createReadStream(`${LOGS}${name}.log`, { highWaterMark: 61 }),
  });
}

export function excerptText(diagnosis: Diagnosis): string {
  return diagnosis.excerpt.join('\n');
}
