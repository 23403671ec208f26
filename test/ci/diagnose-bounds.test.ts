import { describe, expect, it } from 'vitest';
import { diagnoseJobLog } from '../../src/ci/diagnose.js';

const job = {
  id: 3,
  name: 'test',
  conclusion: 'failure',
  steps: [
    { name: 'Set up job', number: 1, conclusion: 'success' },
    { name: 'Run npx vitest run', number: 2, conclusion: 'failure' },
  ],
};

/** A vitest run with `count` failing tests, streamed chunk by chunk, never held whole. */
async function* vitestLog(count: number): AsyncGenerator<string> {
  yield '2024-05-01T12:00:00.0000000Z ##[group]Run npx vitest run\n2024-05-01T12:00:00.0000000Z ##[endgroup]\n';
  yield '2024-05-01T12:00:01.0000000Z ⎯⎯⎯⎯⎯⎯⎯ Failed Tests 10000 ⎯⎯⎯⎯⎯⎯⎯\n';
  for (let index = 0; index < count; index += 1) {
    yield [
      ` FAIL  test/t${index}.test.ts > suite > case ${index}`,
      `AssertionError: expected ${index} to be 0`,
      ' ❯ test/t' + index + '.test.ts:3:15',
      '⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯[1/1]⎯',
      '',
    ]
      .map((line) => `2024-05-01T12:00:02.0000000Z ${line}\n`)
      .join('');
  }
  yield `2024-05-01T12:00:03.0000000Z       Tests  ${count} failed (${count})\n2024-05-01T12:00:03.0000000Z ##[error]Process completed with exit code 1.\n`;
}

describe('bounded diagnosis', () => {
  it('keeps the first 20 of 10,000 failures, counts them all, and quotes at most 30 lines', async () => {
    const diagnosis = await diagnoseJobLog({ workflow: 'CI', job, logUrl: 'u', lines: vitestLog(10_000) });
    expect(diagnosis.failures).toHaveLength(20);
    expect(diagnosis.failureCount).toBe(10_000);
    expect(diagnosis.failures[19]).toMatchObject({ test: 'suite > case 19', file: 'test/t19.test.ts', line: 3 });
    expect(diagnosis.excerpt.length).toBeLessThanOrEqual(30);
    expect(diagnosis.excerpt.at(-1)).toBe('Tests  10000 failed (10000)');
  });

  it('cuts a 50 MB line instead of holding it', async () => {
    async function* hugeLine(): AsyncGenerator<string> {
      yield '2024-05-01T12:00:00.0000000Z ##[group]Run npx vitest run\n2024-05-01T12:00:00.0000000Z ##[endgroup]\n';
      const piece = 'x'.repeat(1_000_000);
      for (let index = 0; index < 50; index += 1) yield piece;
      yield '\n2024-05-01T12:00:01.0000000Z ##[error]Process completed with exit code 1.\n';
    }
    const diagnosis = await diagnoseJobLog({ workflow: 'CI', job, logUrl: 'u', lines: hugeLine() });
    expect(diagnosis.kind).toBe('unknown');
    expect(diagnosis.excerpt[0]).toHaveLength(4096);
  });
});
