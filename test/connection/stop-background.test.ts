/**
 * Stopping Keel while a background job waits on GitHub: the job's requests are cut at once, its
 * run is not recorded as finished, and the next start runs it again. GitHub is a stand-in on
 * loopback that takes requests and, until told otherwise, never answers them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connectionPlugin, RECOVER_JOB, VERIFY_JOB } from '../../src/connection/plugin.js';
import { readSchedule } from '../../src/connection/schedules.js';
import { QUEUE_JOB } from '../../src/repair/jobs.js';
import { repairPlugin } from '../../src/repair/plugin.js';
import { queueRepair } from '../../src/repair/store.js';
import { openStore, type Store } from '../../src/store/database.js';
import { example } from '../../fixtures/index.js';
import type { KeelPlugin } from '../../src/keel.js';
import { startKeel, type TestKeel } from '../helpers/keel.js';

const directory = mkdtempSync(join(tmpdir(), 'keel-stop-background-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

interface StandIn {
  host: string;
  /** `METHOD path` of every request, in order. */
  requests: string[];
  /** Requests whose connection Keel closed before any answer. */
  cut: string[];
  /** Settles with the first request the stand-in leaves unanswered. */
  holding: Promise<string>;
  /** From now on, answer the listings (missed deliveries, installations) with empty pages. */
  answerListings(): void;
  close(): Promise<void>;
}

async function startStandIn(): Promise<StandIn> {
  const requests: string[] = [];
  const cut: string[] = [];
  const held = new Set<ServerResponse>();
  let answering = false;
  let hold!: (request: string) => void;
  const holding = new Promise<string>((resolve) => (hold = resolve));
  const server = createServer((request, response) => {
    const line = `${request.method} ${request.url?.split('?')[0]}`;
    requests.push(line);
    if (answering && /^GET \/api\/v3\/app\/(hook\/deliveries|installations)$/.test(line)) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('[]');
      return;
    }
    held.add(response);
    response.on('close', () => {
      if (!response.writableEnded) cut.push(line);
      held.delete(response);
    });
    hold(line);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    cut,
    holding,
    answerListings: () => (answering = true),
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function start(name: string, standIn: StandIn, plugin: KeelPlugin): Promise<TestKeel> {
  return startKeel({
    env: {
      DATABASE_URL: `file:${join(directory, `${name}.db`)}`,
      GHE_HOST: standIn.host,
      GHE_PROTOCOL: 'http',
    },
    plugins: [plugin],
  });
}

const connection = (background = true) => connectionPlugin({ tickMs: 20, githubRetries: 0, background });

/** Opens the store of a Keel that is not running. */
async function withStore<T>(name: string, read: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(`file:${join(directory, `${name}.db`)}`);
  try {
    return await read(store);
  } finally {
    await store.close();
  }
}

function lastSuccessAt(name: string, job: string): Promise<number | null | undefined> {
  return withStore(name, async (store) => (await readSchedule(store, job))?.last_success_at);
}

function problems(keel: TestKeel): string[] {
  return keel.logs.filter((line) => /Background (job|work)|Could not/.test(line));
}

describe('stopping Keel while a background job waits on GitHub', () => {
  it('cuts the request at once, records no finished run, and runs the job again on the next start', async () => {
    const github = await startStandIn();
    try {
      const keel = await start('sweep', github, connection());
      expect(await github.holding).toBe('GET /api/v3/app/hook/deliveries');
      await keel.stop();

      // Not the grace running out: the request was cut while GitHub still had not answered.
      expect(problems(keel)).toEqual([]);
      await expect.poll(() => github.cut).toEqual(['GET /api/v3/app/hook/deliveries']);
      expect(await lastSuccessAt('sweep', RECOVER_JOB)).toBeNull();

      github.answerListings();
      const again = await start('sweep', github, connection());
      try {
        await expect
          .poll(async () => ((await (await again.api('/api/redeliveries')).json()) as { lastRun: unknown }).lastRun)
          .toMatchObject({ scanned: 0, requested: 0, interrupted: false });
        expect(github.requests.filter((line) => line === 'GET /api/v3/app/hook/deliveries')).toHaveLength(2);
      } finally {
        await again.stop();
      }
    } finally {
      await github.close();
    }
  });

  it('stores no report for a verification the stop cut short', async () => {
    const github = await startStandIn();
    try {
      const seeding = await start('verify', github, connection(false));
      await seeding.send('installation', example('installation.suspend'));
      await seeding.keel.worker.idle();
      await seeding.stop();

      // The missed-delivery sweep and the discovery get their (empty) answers; verification waits.
      github.answerListings();
      const keel = await start('verify', github, connection());
      const asked = await github.holding;
      await keel.stop();

      expect(problems(keel)).toEqual([]);
      await expect.poll(() => github.cut).toEqual([asked]);
      expect(await lastSuccessAt('verify', VERIFY_JOB)).toBeNull();
      const reading = await start('verify', github, connection(false));
      try {
        const shown = (await (await reading.api('/api/installations/16598467')).json()) as { report: unknown };
        expect(shown).toMatchObject({ state: 'suspended', report: null });
      } finally {
        await reading.stop();
      }
    } finally {
      await github.close();
    }
  });

  it('keeps a queued repair queued when the stop cuts the drain short', async () => {
    const github = await startStandIn();
    try {
      const queued = { installationId: 42, repositoryId: 7, owner: 'acme', name: 'app', trigger: 'push' };
      await withStore('drain', (store) => queueRepair(store, queued, Date.now()));
      const keel = await start('drain', github, repairPlugin({ tickMs: 20 }));
      expect(await github.holding).toBe('POST /api/v3/app/installations/42/access_tokens');
      await keel.stop();

      expect(problems(keel)).toEqual([]);
      expect(await lastSuccessAt('drain', QUEUE_JOB)).toBeNull();
      const queue = await withStore('drain', (store) =>
        store.db.selectFrom('repair_queue').select(['repository_id', 'trigger']).execute(),
      );
      expect(queue.map((row) => [Number(row.repository_id), row.trigger])).toEqual([[7, 'push']]);
    } finally {
      await github.close();
    }
  });
});
