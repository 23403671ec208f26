/**
 * pg's Pool.end() resolves before its sockets close, and `DROP DATABASE … WITH (FORCE)` then kills
 * them mid-close, which surfaces as an uncaught "terminating connection" error. Close the test
 * database's stores, then wait here until the server sees no connection to it before dropping it.
 */
import pg from 'pg';

export async function waitForDisconnect(databaseUrl: string, timeoutMs = 5_000): Promise<void> {
  const base = process.env.TEST_DATABASE_URL;
  if (!base) return;
  const name = new URL(databaseUrl).pathname.slice(1);
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const { rows } = await admin.query<{ count: string }>(
        'select count(*) as count from pg_stat_activity where datname = $1',
        [name],
      );
      if (Number(rows[0]?.count) === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    await admin.end();
  }
}
