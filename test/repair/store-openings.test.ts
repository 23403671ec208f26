/**
 * The hourly cap on new bot pull requests holds when repairs of different repositories reserve
 * their openings at the same moment, on both stores.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HOURLY_OPENINGS, reserveOpening } from '../../src/repair/store.js';
import { createPostgresStore, createSqliteStore, type TestStore } from '../helpers/store.js';

const postgresUrl = process.env.TEST_DATABASE_URL;
const databases: [string, () => Promise<TestStore>][] = [['SQLite', createSqliteStore]];
if (postgresUrl) databases.push(['Postgres', () => createPostgresStore(postgresUrl)]);

const INSTALLATION_ID = 957387;
const NOW = Date.UTC(2026, 11, 1, 6);

describe.each(databases)('the hourly cap on bot pull requests (%s)', (_name, createStore) => {
  let test: TestStore;
  beforeEach(async () => {
    test = await createStore();
  });
  afterEach(() => test.cleanup());

  const reserve = (repositoryId: number, installationId = INSTALLATION_ID) =>
    reserveOpening(test.store, { installationId, repositoryId, branch: 'keel/repair-workflows' }, NOW);

  it('grants exactly 10 of 25 openings reserved at once for different repositories', async () => {
    const granted = await Promise.all(Array.from({ length: 25 }, (_, index) => reserve(index + 1)));
    expect(granted.filter(Boolean)).toHaveLength(HOURLY_OPENINGS);
    const rows = await test.store.db.selectFrom('repair_openings').select('repository_id').execute();
    expect(rows).toHaveLength(HOURLY_OPENINGS);
    // Another installation has a cap of its own.
    expect(await reserve(1, INSTALLATION_ID + 1)).toBe(true);
  });

  it('grants a repository holding an opening this hour its opening again, even past the cap, and counts it once', async () => {
    for (let repository = 1; repository <= HOURLY_OPENINGS; repository++) expect(await reserve(repository)).toBe(true);
    expect(await reserve(HOURLY_OPENINGS + 1)).toBe(false);
    expect(await Promise.all([reserve(3), reserve(3)])).toEqual([true, true]);
    expect(
      await Promise.all([
        reserve(HOURLY_OPENINGS + 2, INSTALLATION_ID + 1),
        reserve(HOURLY_OPENINGS + 2, INSTALLATION_ID + 1),
      ]),
    ).toEqual([true, true]);
    // Two deliveries opening the same new pull request at once take one opening between them.
    expect(await test.store.db.selectFrom('repair_openings').selectAll().execute()).toHaveLength(HOURLY_OPENINGS + 1);
  });
});
