// Parse throughput and memory of the CI log diagnosis on a generated raw job log.
// Run alone: node --import tsx bench/ci-parse.ts   (add --expose-gc for steadier memory figures)
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CiConfigSchema, isWorkflowIgnored } from '../src/ci/config.js';
import { diagnoseJobLog } from '../src/ci/diagnose.js';
import { createPathMatcher } from '../src/pr-checks/glob.js';

const MB = 1_000_000;
const CHUNK_BYTES = 64 * 1024;
const SIZES_MB = process.env.CI_PARSE_SIZES ? process.env.CI_PARSE_SIZES.split(',').map(Number) : [100, 500];
const RAW_DIR = fileURLToPath(new URL('../fixtures/ci/raw/', import.meta.url));

// What most of a long CI log is: passing tests, build progress, package manager chatter.
const NOISE = [
  '   ✓ cart > totalOf > sums an empty cart to zero 3ms',
  ' ✓ test/format.test.ts (12 tests) 41ms',
  '  ✔ lower-cases words (0.829578ms)',
  'PASS __tests__/math.test.js',
  'test tests::parses_full_version ... ok',
  '--- PASS: TestBalance (0.00s)',
  'tests/test_stock.py::test_reserve_decrements PASSED                      [ 16%]',
  '[INFO] Tests run: 2, Failures: 0, Errors: 0, Skipped: 0, Time elapsed: 0.004 s -- in com.example.cart.PriceFormatTest',
  '> Task :app:compileJava UP-TO-DATE',
  '   Compiling serde v1.0.203',
  '#12 [builder 4/9] RUN go build -o /out/app ./cmd/app',
  '#12 0.512 go: downloading github.com/spf13/cobra v1.8.0',
  'npm timing reify:loadBundles Completed in 0ms',
  'Downloading https://repo.maven.apache.org/maven2/org/junit/junit-bom/5.10.2/junit-bom-5.10.2.pom',
  '\u001b[32m✓\u001b[39m renders the dashboard with 3 widgets \u001b[2m(12ms)\u001b[22m',
  'webpack 5.91.0 compiled successfully in 5321 ms',
  '  handles errors from the payment provider gracefully',
];

/** About 1 MB of timestamped log text: noise with every fixture's failing output mixed in. */
function buildCycle(): Uint8Array {
  const failures = readdirSync(RAW_DIR).map((file) =>
    readFileSync(`${RAW_DIR}${file}`, 'utf8')
      .split('\n')
      .filter((line) => !line.startsWith('#! ')),
  );
  const lines: string[] = [];
  let bytes = 0;
  for (let index = 0; bytes < MB; index += 1) {
    // One tool's failing output every 2,000 lines: ~5 MB of failures per 500 MB, far past every cap.
    const burst =
      index % 2000 === 0 ? (failures[(index / 2000) % failures.length] ?? []) : [NOISE[index % NOISE.length] ?? ''];
    for (const text of burst) {
      const line = `2024-05-01T12:${String(34 + (index % 20)).padStart(2, '0')}:56.${String(index % 10_000_000).padStart(7, '0')}Z ${text}\n`;
      lines.push(line);
      bytes += Buffer.byteLength(line);
    }
  }
  return new TextEncoder().encode(lines.join(''));
}

/** Streams `totalBytes` of log in 64 KB chunks; only the ~1 MB cycle exists in memory. */
async function* generateLog(totalBytes: number, cycle: Uint8Array): AsyncGenerator<Uint8Array> {
  const encoder = new TextEncoder();
  yield encoder.encode(
    "\uFEFF2024-05-01T12:34:50.0000000Z Current runner version: '2.317.0'\n2024-05-01T12:34:51.0000000Z ##[group]Run npm test\n2024-05-01T12:34:51.0000000Z ##[endgroup]\n",
  );
  let sent = 0;
  while (sent < totalBytes) {
    for (let start = 0; start < cycle.length && sent < totalBytes; start += CHUNK_BYTES) {
      const chunk = cycle.subarray(start, Math.min(start + CHUNK_BYTES, cycle.length));
      sent += chunk.length;
      yield chunk;
    }
  }
  yield encoder.encode('2024-05-01T12:59:59.0000000Z ##[error]Process completed with exit code 1.\n');
}

interface Run {
  sizeMb: number;
  seconds: number;
  /** CPU time of this process: on a shared, busy machine it says more than wall time. */
  cpuSeconds: number;
  rssGrowthMb: number;
  heapGrowthMb: number;
  failures: number;
}

async function runOnce(sizeMb: number, cycle: Uint8Array): Promise<Run> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage();
  let peakRss = before.rss;
  let peakHeap = before.heapUsed;
  let chunks = 0;
  async function* sampled(): AsyncGenerator<Uint8Array> {
    for await (const chunk of generateLog(sizeMb * MB, cycle)) {
      if (++chunks % 64 === 0) {
        const now = process.memoryUsage();
        peakRss = Math.max(peakRss, now.rss);
        peakHeap = Math.max(peakHeap, now.heapUsed);
      }
      yield chunk;
    }
  }
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const diagnosis = await diagnoseJobLog({
    workflow: 'CI',
    job: {
      id: 1,
      name: 'test',
      conclusion: 'failure',
      steps: [
        { name: 'Set up job', number: 1, conclusion: 'success' },
        { name: 'Run npm test', number: 2, conclusion: 'failure' },
      ],
    },
    logUrl: 'https://github.com/acme/app/actions/runs/1/job/1',
    lines: sampled(),
  });
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    sizeMb,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    rssGrowthMb: (peakRss - before.rss) / MB,
    heapGrowthMb: (peakHeap - before.heapUsed) / MB,
    failures: diagnosis.failureCount,
  };
}

/** `ignorePaths` and `ignoreWorkflows` with a pattern that made hand-written globs backtrack for seconds. */
function timeGlobs(): string {
  const pattern = '**/**/**/**/**/**/**/**/zz';
  const paths = Array.from({ length: 1000 }, (_, i) => `${'a/'.repeat(10 + (i % 30))}${i % 2 === 0 ? 'zz' : 'zy'}`);
  const started = performance.now();
  const isIgnored = createPathMatcher([pattern]);
  const config = CiConfigSchema.parse({ ignoreWorkflows: [pattern] });
  let matched = 0;
  for (const path of paths) {
    if (isIgnored(path)) matched += 1;
    if (isWorkflowIgnored(config, { name: path })) matched += 1;
  }
  const ms = performance.now() - started;
  return `globs: ${pattern} over 1,000 paths and 1,000 workflow names in ${ms.toFixed(1)} ms (${matched} matches; was 0.4–2 s per path)`;
}

export async function benchCiParse(): Promise<{ name: string; lines: string[] }> {
  const cycle = buildCycle();
  await runOnce(10, cycle); // warm up the JIT
  const runs: Run[] = [];
  for (const size of SIZES_MB) runs.push(await runOnce(size, cycle));
  return {
    name: 'ci-parse',
    lines: [
      timeGlobs(),
      ...runs.map(
        (run) =>
          `${run.sizeMb} MB log: ${(run.sizeMb / run.seconds).toFixed(0)} MB/s wall (${run.seconds.toFixed(2)} s), ` +
          `${(run.sizeMb / run.cpuSeconds).toFixed(0)} MB/s per CPU second, ` +
          `peak growth rss +${run.rssGrowthMb.toFixed(1)} MB, heap +${run.heapGrowthMb.toFixed(1)} MB ` +
          `(targets: ≥100 MB/s, <100 MB)`,
      ),
    ],
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const result = await benchCiParse();
  console.log(result.name);
  for (const line of result.lines) console.log(`  ${line}`);
}
