/**
 * One odd value in a signed delivery must not fail the deliveries stored with it. Values the
 * database would refuse are normalised before the insert; a row the database still refuses
 * fails alone: it gets 503, every other delivery of its batch 202.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { example } from '../../fixtures/index.js';
import { readFacts } from '../../src/inbox/delivery-facts.js';
import { createGroupCommit } from '../../src/inbox/group-commit.js';
import { startKeel, type TestKeel } from '../helpers/keel.js';
import { createPostgresDatabase } from '../helpers/store.js';

/** The values seen in signed deliveries that failed a whole batch on Postgres. */
function poisonPayloads() {
  const fractional = example('pull_request.opened');
  fractional.installation = { id: 1.5, node_id: 'x' };
  const huge = example('pull_request.opened');
  huge.installation = { id: 1e20, node_id: 'x' };
  const nul = example('pull_request.opened');
  nul.repository.full_name = 'acme/app\u0000';
  return { fractional, huge, nul };
}

describe('the facts a delivery row takes from its payload', () => {
  it('keeps integers in range and strings the columns hold, and makes anything else null', () => {
    const { fractional, huge, nul } = poisonPayloads();
    const long = { ...example('pull_request.opened'), action: 'a'.repeat(65) };
    expect([fractional, huge, nul, long].map((payload) => readFacts('pull_request', payload))).toMatchObject([
      { installationId: null, repository: fractional.repository.full_name },
      { installationId: null },
      { repository: null },
      { action: null },
    ]);
  });
});

describe('a group commit with one item the database refuses', () => {
  it('commits every other item and fails that one alone', async () => {
    const written: string[][] = [];
    const group = createGroupCommit<string, string>({
      commit: async (items) => {
        if (items.includes('poison')) throw new Error('value out of range');
        written.push(items);
        return items.map((item) => `${item} stored`);
      },
    });
    const results = await Promise.allSettled(['a', 'poison', 'b'].map((item) => group.submit(item)));
    expect(results.map((result) => (result.status === 'fulfilled' ? result.value : 'refused'))).toEqual([
      'a stored',
      'refused',
      'b stored',
    ]);
    expect(written).toEqual([['a'], ['b']]);
  });
});

async function sendBatch(keel: TestKeel, deliveries: [event: string, payload: unknown, id: string][]) {
  const responses = await Promise.all(deliveries.map(([event, payload, id]) => keel.send(event, payload, id)));
  return Object.fromEntries(deliveries.map(([, , id], index) => [id, responses[index]?.status]));
}

function batchWithPoison(): [string, unknown, string][] {
  const { fractional, huge, nul } = poisonPayloads();
  const others = Array.from({ length: 30 }, (_, index): [string, unknown, string] => [
    'pull_request',
    example('pull_request.opened'),
    `other-${index}`,
  ]);
  return [
    ...others.slice(0, 10),
    ['pull_request', fractional, 'fractional'],
    ['pull_request', huge, 'huge'],
    ['pull_request', nul, 'nul'],
    ...others.slice(10),
  ];
}

async function storedFacts(keel: TestKeel, id: string) {
  const response = await keel.api(`/api/deliveries/${id}`);
  return (await response.json()) as { installationId: number | null; repository: string | null };
}

describe('deliveries with odd values, received in one batch', () => {
  let keel: TestKeel | undefined;
  let dropDatabase: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await keel?.stop();
    await dropDatabase?.();
    keel = undefined;
    dropDatabase = undefined;
  });

  it('SQLite: every delivery is stored, the odd values as null', async () => {
    keel = await startKeel();
    const statuses = await sendBatch(keel, batchWithPoison());
    expect(new Set(Object.values(statuses))).toEqual(new Set([202]));
    expect([await storedFacts(keel, 'fractional'), await storedFacts(keel, 'nul')]).toMatchObject([
      { installationId: null },
      { repository: null },
    ]);
  });

  it.skipIf(!process.env.TEST_DATABASE_URL)(
    'Postgres: every delivery is stored, and one the database still refuses fails alone',
    async () => {
      const database = await createPostgresDatabase(process.env.TEST_DATABASE_URL!);
      dropDatabase = database.drop;
      keel = await startKeel({ env: { DATABASE_URL: database.databaseUrl } });
      const tooLongEvent = 'e'.repeat(65);
      const statuses = await sendBatch(keel, [...batchWithPoison(), [tooLongEvent, { action: 'x' }, 'too-long-event']]);
      const { ['too-long-event']: refused, ...others } = statuses;
      expect([refused, new Set(Object.values(others))]).toEqual([503, new Set([202])]);
      expect(await storedFacts(keel, 'huge')).toMatchObject({ installationId: null });
    },
  );
});
