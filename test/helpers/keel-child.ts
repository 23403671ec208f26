/**
 * A Keel process for durability tests, run as `node --import tsx test/helpers/keel-child.ts`.
 * Its only handler records each execution (start and end, with this process id) and applies an
 * idempotent effect, in tables beside Keel's own in the same database (the test creates them,
 * once: concurrent CREATE TABLE IF NOT EXISTS races on Postgres). It prints its URL.
 */
import { sql } from 'kysely';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import { createKeel } from '../../src/keel.js';

const config = loadConfig(process.env);
const keel = await createKeel({
  config,
  log: pino({ level: 'warn' }),
  worker: { leaseMs: Number(process.env.TEST_LEASE_MS ?? 2_000), pollMs: 100, concurrency: 4 },
  appFunctions: [
    (app) => {
      app.onAny(async (event) => {
        const db = keel.store.db;
        const started = Date.now();
        await sql`insert into test_executions (delivery_id, pid, started_at) values (${event.id}, ${process.pid}, ${started})`.execute(
          db,
        );
        await new Promise((resolve) => setTimeout(resolve, Number(process.env.TEST_HANDLER_MS ?? 10)));
        await sql`insert into test_effects (delivery_id) values (${event.id}) on conflict (delivery_id) do nothing`.execute(
          db,
        );
        await sql`update test_executions set finished_at = ${Date.now()} where delivery_id = ${event.id} and pid = ${process.pid} and started_at = ${started}`.execute(
          db,
        );
      });
    },
  ],
});
const url = await keel.listen();
process.stdout.write(`${url}\n`);
process.on('SIGTERM', () => {
  void keel.stop().then(() => process.exit(0));
});
