/**
 * Benchmark of the pr-checks core: a 3,000-file, 300,000-added-line pull request (code, some
 * workflows, a few secrets) audited by `auditPullRequest`. Warm-up, then the median of 5 runs.
 * Run alone with `node --import tsx bench/pr-audit.ts`.
 */
import { readdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { auditPullRequest, type AuditInput, type ChangedFile } from '../src/pr-checks/audit.js';
import { PrChecksConfigSchema } from '../src/pr-checks/config.js';
import { addedFile, fakeSecrets, readPrChecksFixture } from '../fixtures/pr-checks/helpers.js';

const FILES = 3_000;
const ADDED_LINES = 300_000;
const WORKFLOW_EVERY = 100;
const SECRET_EVERY = 60;
const RUNS = 5;

const CODE = [
  "import { createHash } from 'node:crypto';",
  'export async function fetchInstallation(octokit: Octokit, id: number): Promise<Installation> {',
  '  const { data } = await octokit.request("GET /app/installations/{id}", { id });',
  '  const token = await getInstallationToken(app, installationId);',
  '  if (!options.password) throw new ConfigError("password missing", "set DB_PASSWORD");',
  '  const apiKey = process.env.API_KEY ?? config.apiKey;',
  '  return items.filter((item) => item.enabled && item.tokens.length > 0).map(toSummary);',
  '  // Retry with exponential backoff: 500 ms, 1 s, 2 s, … capped at 30 s.',
  '  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {',
  '    logger.info({ attempt, delivery: delivery.id }, "processing delivery");',
  '  secret: z.string().min(1).describe("webhook secret"),',
  '  expect(result.findings).toEqual([]);',
  '  },',
  '}',
  '',
  'const tokenizer = new Tokenizer({ lowercase: true, stripAccents: false });',
  '    const hash = createHash("sha256").update(JSON.stringify(payload)).digest("hex");',
  '      <button type="submit" className="btn btn-primary" disabled={pending}>Save</button>',
  'SELECT id, login, created_at FROM installations WHERE account_id = $1 ORDER BY created_at DESC;',
  '    password_confirmation: "",',
];

/** A deterministic linear congruential generator, enough to spread the mix. */
function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}

function buildInput(): AuditInput {
  const random = createRandom(42);
  const workflowsDir = new URL('../fixtures/pr-checks/workflows/', import.meta.url);
  const workflows = readdirSync(workflowsDir)
    .filter((name) => name !== 'invalid.yml')
    .map((name) => readPrChecksFixture(`workflows/${name}`));
  const files: ChangedFile[] = [];
  const workflowContents = new Map<string, string>();
  let remaining = ADDED_LINES;

  for (let i = 0; i < FILES; i += 1) {
    let lines: string[];
    let filename: string;
    if (i % WORKFLOW_EVERY === 0) {
      filename = `.github/workflows/generated-${i}.yml`;
      const content = workflows[(i / WORKFLOW_EVERY) % workflows.length] ?? '';
      workflowContents.set(filename, content);
      lines = content.split('\n');
    } else {
      filename = `packages/pkg-${i % 40}/src/module-${i}.ts`;
      const count = i === FILES - 1 ? remaining : Math.round(remaining / (FILES - i));
      lines = Array.from({ length: count }, () => CODE[Math.floor(random() * CODE.length)] ?? '');
      if (i % SECRET_EVERY === 1 && lines.length > 0) {
        const secret = Object.values(fakeSecrets(i)).slice(0, 14)[i % 14] ?? '';
        lines[Math.floor(random() * lines.length)] = `const leaked = "${secret}";`;
      }
    }
    remaining -= lines.length;
    files.push(addedFile(filename, lines));
  }
  return {
    title: 'feat: a very large change',
    body: null,
    files,
    workflowContents,
    config: PrChecksConfigSchema.parse({ maxChangedLines: 1000 }),
  };
}

export async function benchPrAudit(): Promise<{ name: string; lines: string[] }> {
  const input = buildInput();
  const warmUp = auditPullRequest(input);
  const times: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    const start = performance.now();
    auditPullRequest(input);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(RUNS / 2)] ?? 0;
  const format = (n: number): string => Math.round(n).toLocaleString('en-US');
  return {
    name: 'pr-audit',
    lines: [
      `input: ${format(input.files.length)} files, ${format(warmUp.addedLines)} added lines, ${format(warmUp.findings.length)} findings`,
      `auditPullRequest: median ${median.toFixed(1)} ms of ${RUNS} runs (min ${(times[0] ?? 0).toFixed(1)}, max ${(times[RUNS - 1] ?? 0).toFixed(1)})`,
      `throughput: ${format(warmUp.addedLines / (median / 1000))} added lines/s (target: under 1,000 ms)`,
      `status: ${warmUp.state} – ${warmUp.description}`,
    ],
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { name, lines } = await benchPrAudit();
  console.log(name);
  for (const line of lines) console.log(`  ${line}`);
}
