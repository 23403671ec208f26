/**
 * `npm run bench`: every benchmark, one after the other, in one process run, so the ratios
 * printed compare figures taken under the same machine conditions.
 */
import { cpus, loadavg } from 'node:os';
import { benchCiAccuracy } from './ci-accuracy.js';
import { benchCiParse } from './ci-parse.js';
import { benchConsole } from './console.js';
import { benchPrAudit } from './pr-audit.js';
import { benchReceiver } from './receiver.js';
import { benchRepair } from './repair.js';
import { benchSlowClients } from './slow-clients.js';
import { benchWorkflowAuditAccuracy } from './workflow-audit-accuracy.js';

const benches = [
  benchReceiver,
  benchSlowClients,
  benchPrAudit,
  benchCiParse,
  benchCiAccuracy,
  benchWorkflowAuditAccuracy,
  benchConsole,
  benchRepair,
];

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
