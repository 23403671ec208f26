/**
 * vitest's global set-up (vitest.config.ts): with TEST_DATABASE_URL set, Keel's migrations run once
 * per test run, into a template database that `createPostgresStore` copies (CREATE DATABASE …
 * TEMPLATE) instead of migrating a new database for every test. Its name reaches the workers as
 * TEST_DATABASE_TEMPLATE (they inherit this process's environment); it is this run's own, so runs
 * sharing a Postgres server do not collide. Teardown drops it.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { openStore } from '../../src/store/database.js';

async function query(baseUrl: string, text: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  try {
    return await client.query(text, values);
  } finally {
    await client.end();
  }
}

/** pg's Pool.end() resolves before its sockets close; a database is copied only once nobody is connected. */
async function waitUntilUnused(baseUrl: string, name: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { rows } = await query(baseUrl, 'select count(*) as count from pg_stat_activity where datname = $1', [name]);
    if (Number((rows[0] as { count: string } | undefined)?.count) === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`The template database ${name} still has connections after ${timeoutMs} ms.`);
}

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  const baseUrl = process.env.TEST_DATABASE_URL;
  if (!baseUrl) return undefined;
  const name = `keel_template_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  await query(baseUrl, `CREATE DATABASE ${name}`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  const store = await openStore(url.toString());
  await store.close();
  await waitUntilUnused(baseUrl, name);
  process.env.TEST_DATABASE_TEMPLATE = name;
  return async () => {
    delete process.env.TEST_DATABASE_TEMPLATE;
    await query(baseUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  };
}
