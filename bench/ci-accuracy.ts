// Diagnosis accuracy over the corpus in fixtures/ci/corpus/: real failed job logs, each with the
// error lines a person marked. Run alone: node --import tsx bench/ci-accuracy.ts [--cases]
import { fileURLToPath } from 'node:url';
import { measureCorpus } from '../fixtures/ci/corpus.js';

const percent = (value: number): string => `${(value * 100).toFixed(1)}%`;

export async function benchCiAccuracy(): Promise<{ name: string; lines: string[] }> {
  const score = await measureCorpus();
  const lines = [
    `${score.logs} logs, ${score.tools} tools`,
    `logs where the diagnosis quotes a marked line: ${score.hits}/${score.logs}`,
    `quoted-line precision (marked or within 2 lines of a marked one): ${percent(score.precision)}`,
    `recall of marked lines: ${percent(score.recall)}`,
    `tool and failing test / file:line right: ${percent(score.toolAndLocation)}`,
  ];
  if (process.argv.includes('--cases')) {
    for (const item of score.cases) {
      const flags = [
        item.hit ? '' : 'MISS',
        item.toolRight ? '' : `tool=${item.diagnosis.tool}`,
        item.locationRight ? '' : 'location',
      ];
      lines.push(
        `${item.name.padEnd(32)} quoted ${item.precise}/${item.quoted} recalled ${item.recalled}/${item.marked} ${flags.filter(Boolean).join(' ')}`,
      );
    }
  }
  return { name: 'CI diagnosis accuracy (npm run accuracy)', lines };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { name, lines } = await benchCiAccuracy();
  console.log(name);
  for (const line of lines) console.log(`  ${line}`);
}
