/**
 * The console's server time per page with 500 integrations, 5,000 repositories and 20,000
 * deliveries stored, for a signed-in owner of every account: p50 and p95 over repeated requests
 * after a warm-up, on SQLite and (when BENCH_DATABASE_URL or TEST_DATABASE_URL is set) Postgres.
 * A loopback server plays GitHub's membership answers. Run alone with
 * `node --import tsx bench/console.ts`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { requiredPermissions, subscribedEvents } from '../src/capabilities.js';
import { loadConfig } from '../src/config.js';
import { judgePermissions } from '../src/connection/verify/judge-permissions.js';
import { SESSION_COOKIE, SESSION_TTL_MS } from '../src/console/auth/session.js';
import { createSession } from '../src/console/auth/session-rows.js';
import { consolePlugin } from '../src/console/plugin.js';
import { encodePayload } from '../src/inbox/payload-codec.js';
import { createKeel } from '../src/keel.js';
import type { Store } from '../src/store/database.js';
import { testPrivateKey } from '../fixtures/index.js';
import { createPostgresDatabase } from '../test/helpers/store.js';

const INTEGRATIONS = 500;
const REPOSITORIES_PER = 10;
const DELIVERIES_PER = 40;
const REQUESTS = Number(process.env.BENCH_CONSOLE_REQUESTS ?? 40);
const BUDGET_MS = 50;
const NOW = Date.now();
const STATUSES = ['processed', 'processed', 'processed', 'failed', 'dead', 'queued'] as const;
const GRANTED: Record<string, string> = requiredPermissions();
const EVENTS = subscribedEvents();
const CHECK_NAMES = [
  'app-credentials',
  'installation',
  'permissions',
  'token',
  'repositories',
  'rate-limit',
  'org-config',
  'webhook',
] as const;

/**
 * A report the size verification stores: eight checks, the grant judged against the capability
 * table, the events, and a day of webhook deliveries (a few kilobytes, as in production).
 */
function report(id: number): string {
  const judgement = judgePermissions({
    granted: GRANTED,
    grantedEvents: EVENTS,
    requested: { permissions: GRANTED, events: EVENTS },
  });
  const delivery = (index: number) => ({
    id: id * 1000 + index,
    guid: `00000000-0000-4000-8000-${String(id * 1000 + index).padStart(12, '0')}`,
    event: 'pull_request',
    action: 'opened',
    statusCode: 502,
    deliveredAt: new Date(NOW - index * 60_000).toISOString(),
  });
  return JSON.stringify({
    at: new Date(NOW).toISOString(),
    installationId: id,
    state: 'connected',
    checks: CHECK_NAMES.map((name) => ({
      name,
      status: name === 'rate-limit' && id % 10 === 0 ? 'warn' : 'pass',
      finding: `${name}: what the check found for org-${id}, in one line of about this length.`,
      remedy: '',
    })),
    account: { login: `org-${id}`, type: 'Organization' },
    permissions: judgement.permissions,
    events: judgement.events,
    pendingUpdate: {
      ...judgement.pendingUpdate,
      acceptUrl: `https://github.com/organizations/org-${id}/settings/installations/${id}`,
    },
    repositories: { selection: 'selected', count: REPOSITORIES_PER },
    deliveries: { failed: Array.from({ length: 5 }, (_, index) => delivery(index)), unrecorded: [], healed: [] },
    tokenExpiresAt: new Date(NOW + 3_600_000).toISOString(),
  });
}

async function seed(store: Store): Promise<void> {
  for (let start = 1; start <= INTEGRATIONS; start += 100) {
    const ids = Array.from({ length: 100 }, (_, index) => start + index);
    await store.db
      .insertInto('installations')
      .values(
        ids.map((id) => ({
          id,
          account_login: `org-${id}`,
          account_type: 'Organization',
          account_id: 10_000 + id,
          installed_by: 'octocat',
          repository_selection: 'selected',
          permissions: JSON.stringify(GRANTED),
          events: JSON.stringify(EVENTS),
          suspended_at: null,
          suspended_by: null,
          state: 'connected',
          created_at: NOW,
          updated_at: NOW,
          repository_count: REPOSITORIES_PER,
          // As verify-and-store leaves them beside each stored report.
          verified_at: NOW,
          rate_limited: id % 10 === 0 ? 1 : 0,
        })),
      )
      .execute();
    await store.db
      .insertInto('integrations')
      .values(
        ids.map((id) => ({
          id: String(id),
          provider: 'github',
          host: 'github.com',
          external_id: String(id),
          installation_id: id,
          name: `org-${id}`,
          added_by: 'octocat',
          services: '{}',
          exclusions: '[]',
          created_at: NOW,
          updated_at: NOW,
        })),
      )
      .execute();
    await store.db
      .insertInto('reports')
      .values(ids.map((id) => ({ installation_id: id, at: NOW, state: 'connected', report: report(id) })))
      .execute();
    await store.db
      .insertInto('repositories')
      .values(
        ids.flatMap((id) =>
          Array.from({ length: REPOSITORIES_PER }, (_, index) => ({
            id: id * 100 + index,
            installation_id: id,
            full_name: `org-${id}/repo-${index}`,
            private: 0,
          })),
        ),
      )
      .execute();
  }
  const payload = encodePayload(Buffer.from('{"action":"opened"}'));
  for (let id = 1; id <= INTEGRATIONS; id += 1) {
    const rows = await store.db
      .insertInto('deliveries')
      .values(
        Array.from({ length: DELIVERIES_PER }, (_, index) => ({
          id: `d-${id}-${index}`,
          event: 'pull_request',
          action: 'opened',
          installation_id: id,
          repository: `org-${id}/repo-${index % REPOSITORIES_PER}`,
          status: STATUSES[index % STATUSES.length] ?? 'processed',
          attempts: 1,
          error: null,
          received_at: NOW - index * 1000,
          next_attempt_at: NOW,
          lease_expires_at: null,
          claimed_by: null,
          processed_at: NOW - index * 1000 + 120,
          concurrency_key: null,
        })),
      )
      .returning('seq')
      .execute();
    await store.db
      .insertInto('delivery_payloads')
      .values(rows.map((row) => ({ delivery_seq: row.seq, ...payload })))
      .execute();
  }
}

/** GitHub's answer to "is this user an owner of org-N?": yes, for every org. */
async function startMembershipServer(): Promise<{ host: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const ok = req.url?.startsWith('/api/v3/user/memberships/orgs/');
    res.writeHead(ok ? 200 : 404, { 'content-type': 'application/json' });
    res.end(ok ? '{"state":"active","role":"admin"}' : '{"message":"Not Found"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { host: `127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function percentile(sorted: number[], share: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)] ?? Number.NaN;
}

/** Asks for /console until it answers: the user's roles in 500 orgs are read (and cached 3 minutes). */
async function warmRoles(url: string, cookie: string): Promise<void> {
  for (let attempt = 1; attempt <= 6; attempt += 1) {
    const response = await fetch(`${url}/console`, { headers: { cookie } });
    await response.text();
    if (response.status === 200) return;
  }
  throw new Error('/console never answered 200: GitHub (the loopback stand-in) timed out on every role lookup');
}

async function timePages(url: string, cookie: string): Promise<string[]> {
  const pages = [
    '/console',
    '/console/integrations/250',
    '/console/deliveries',
    '/console/deliveries?status=dead',
    '/console/audit',
  ];
  const lines: string[] = [];
  for (const path of pages) {
    // Role lookups are timed apart (first page); re-read them before each page's rounds.
    await warmRoles(url, cookie);
    const times: number[] = [];
    let cpu = { user: 0, system: 0 };
    for (let round = 0; round < REQUESTS + 3; round += 1) {
      if (round === 3) cpu = process.cpuUsage();
      const started = performance.now();
      const response = await fetch(`${url}${path}`, { headers: { cookie } });
      await response.text();
      if (response.status !== 200) throw new Error(`${path} answered ${response.status}`);
      if (round >= 3) times.push(performance.now() - started);
    }
    // Keel's CPU time per request (server and this client share the process; Postgres is apart):
    // less swayed by a loaded machine than wall-clock times.
    const used = process.cpuUsage(cpu);
    times.sort((a, b) => a - b);
    const p95 = percentile(times, 0.95);
    lines.push(
      `${path.padEnd(34)} p50 ${percentile(times, 0.5).toFixed(1)} ms, p95 ${p95.toFixed(1)} ms ${p95 < BUDGET_MS ? '(under 50 ms)' : '(OVER 50 ms)'}; CPU ${((used.user + used.system) / 1000 / REQUESTS).toFixed(1)} ms/request`,
    );
  }
  return lines;
}

async function benchStore(label: string, databaseUrl: string): Promise<string[]> {
  const github = await startMembershipServer();
  const config = loadConfig({
    APP_ID: '4242',
    PRIVATE_KEY: testPrivateKey(),
    WEBHOOK_SECRET: 'bench-secret',
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    GHE_HOST: github.host,
    GHE_PROTOCOL: 'http',
    GITHUB_CLIENT_ID: 'Iv1.bench',
    GITHUB_CLIENT_SECRET: 'bench-client-secret',
    KEEL_WORKER_CONCURRENCY: '0',
  });
  const keel = await createKeel({
    config,
    log: pino({ level: process.env.BENCH_LOG_LEVEL ?? 'silent' }),
    plugins: [consolePlugin()],
    githubThrottle: false,
  });
  try {
    const url = await keel.listen();
    const seeding = performance.now();
    await seed(keel.store);
    const cookieValue = await createSession(keel.store, config.sessionKey, {
      user: { id: 1, login: 'octocat', name: null, avatarUrl: null },
      token: 'gho_bench',
      now: Date.now(),
      ttlMs: SESSION_TTL_MS,
    });
    const cookie = `${SESSION_COOKIE}=${cookieValue}`;
    // The first page asks GitHub for the user's role in all 500 orgs; roles are then cached.
    const first = performance.now();
    await warmRoles(url, cookie);
    const lines = [
      `${label}: seeded in ${((first - seeding) / 1000).toFixed(1)} s; first page (500 role lookups) ${(performance.now() - first).toFixed(0)} ms`,
    ];
    lines.push(...(await timePages(url, cookie)).map((line) => `  ${line}`));
    return lines;
  } finally {
    await keel.stop(2_000);
    await github.close();
  }
}

export async function benchConsole(): Promise<{ name: string; lines: string[] }> {
  const lines: string[] = [];
  const directory = mkdtempSync(join(tmpdir(), 'keel-bench-console-'));
  try {
    lines.push(...(await benchStore('SQLite', `file:${join(directory, 'keel.db')}`)));
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
  const postgres = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (postgres) {
    const database = await createPostgresDatabase(postgres);
    try {
      lines.push(...(await benchStore('Postgres', database.databaseUrl)));
    } finally {
      await database.drop();
    }
  } else {
    lines.push('Postgres: skipped (set BENCH_DATABASE_URL or TEST_DATABASE_URL)');
  }
  return {
    name: `console pages, ${INTEGRATIONS} integrations, ${INTEGRATIONS * REPOSITORIES_PER} repositories, ${INTEGRATIONS * DELIVERIES_PER} deliveries (${REQUESTS} requests each)`,
    lines,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { name, lines } = await benchConsole();
  console.log(name);
  for (const line of lines) console.log(`  ${line}`);
}
