/**
 * `npm run bench`: every benchmark, one after the other, in one process run, so the ratios
 * printed compare figures taken under the same machine conditions.
 */
import { cpus, loadavg } from 'node:os';
import { benchCiParse } from './ci-parse.js';
import { benchPrAudit } from './pr-audit.js';
import { benchReceiver } from './receiver.js';

const benches = [benchReceiver, benchPrAudit, benchCiParse];

console.log(
  `node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load average ${loadavg()
    .map((value) => value.toFixed(2))
    .join(' ')}`,
);
for (const bench of benches) {
  const { name, lines } = await bench();
  console.log(name);
  for (const line of lines) console.log(`  ${line}`);
}
