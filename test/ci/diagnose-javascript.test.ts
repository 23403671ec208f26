import { describe, expect, it } from 'vitest';
import { diagnoseFixture, excerptText } from './diagnose-fixture.js';

describe('diagnosing a vitest failure', () => {
  it('names the failed step, the tool and the exit code', async () => {
    const diagnosis = await diagnoseFixture('vitest-assertions');
    expect(diagnosis).toMatchObject({
      workflow: 'CI',
      job: { name: 'test' },
      failedStep: { name: 'Run npx vitest run' },
      kind: 'test-failure',
      tool: 'vitest',
      exitCode: 1,
      failureCount: 3,
    });
  });

  it('lists each failing test with the line in its test file', async () => {
    const { failures } = await diagnoseFixture('vitest-assertions');
    expect(failures.map(({ test, file, line }) => ({ test, file, line }))).toEqual([
      { test: 'totalOf > adds price times quantity', file: 'test/cart.test.ts', line: 10 },
      { test: 'totalOf > returns the line items it was given', file: 'test/cart.test.ts', line: 15 },
      { test: 'parseSku > accepts lower case skus', file: 'test/cart.test.ts', line: 25 },
    ]);
    expect(failures[0]?.message).toBe('AssertionError: expected 22 to be 20 // Object.is equality');
  });

  it('quotes the assertion, the expected/received diff and the frames in user code', async () => {
    const text = excerptText(await diagnoseFixture('vitest-assertions'));
    expect(text).toContain('AssertionError: expected 22 to be 20 // Object.is equality');
    expect(text).toContain('- 20\n+ 22');
    expect(text).toContain('+   "currency": "EUR",');
    expect(text).toContain('❯ parseSku src/cart.ts:9:11');
    expect(text).toContain('Tests  3 failed | 3 passed (6)');
  });

  it('leaves out passing tests, code-frame context, separators and set-up noise', async () => {
    const diagnosis = await diagnoseFixture('vitest-assertions');
    const text = excerptText(diagnosis);
    expect(diagnosis.excerpt.length).toBeLessThanOrEqual(30);
    expect(text).not.toContain('\u001b');
    expect(text).not.toMatch(/sums an empty cart|accepts a well-formed sku|⎯|##\[|added 312 packages|^\s+8\|/m);
  });
});

describe('diagnosing a jest failure', () => {
  it('lists tests as "Suite > test" with the frame in user code', async () => {
    const diagnosis = await diagnoseFixture('jest-assertions');
    expect(diagnosis).toMatchObject({ kind: 'test-failure', tool: 'jest', failedStep: { name: 'Unit tests' } });
    expect(diagnosis.failures.map(({ test, file, line }) => `${test} @ ${file}:${line}`)).toEqual([
      'Queue > pop returns items in FIFO order @ __tests__/queue.test.js:13',
      'Queue > pop on an empty queue returns undefined @ src/queue.js:5',
      'Queue > snapshot of items @ __tests__/queue.test.js:24',
    ]);
  });

  it('quotes expected and received values and the pointed source line once', async () => {
    const text = excerptText(await diagnoseFixture('jest-assertions'));
    expect(text).toContain('Expected: "a"\n    Received: "b"');
    expect(text.match(/> 13 \|/g)).toHaveLength(1);
    expect(text).toContain('at Queue.pop (src/queue.js:5:40)');
    expect(text).not.toMatch(/PASS __tests__\/math|push returns the new length|^\s+11 \|/m);
  });
});

describe('diagnosing a mocha failure', () => {
  it('joins the suite and test titles and finds the spec line', async () => {
    const { failures, tool } = await diagnoseFixture('mocha-assertions');
    expect(tool).toBe('mocha');
    expect(failures.map(({ test, file, line }) => `${test} @ ${file}:${line}`)).toEqual([
      'parsePort > rejects ports above 65535 @ test/port.spec.js:9',
      'parsePort > parses a config object @ test/port.spec.js:15',
    ]);
  });

  it('shows the diff once, not mocha’s repeat of it', async () => {
    const text = excerptText(await diagnoseFixture('mocha-assertions'));
    expect(text).toContain("+   host: 'localhost',");
    expect(text).not.toContain('+ expected - actual');
    expect(text).not.toContain('processImmediate');
  });
});

describe('diagnosing node:test failures', () => {
  it('reads the TAP reporter and skips suites that only report failed subtests', async () => {
    const { failures, tool } = await diagnoseFixture('node-test-tap');
    expect(tool).toBe('node:test');
    expect(failures.map(({ test, file, line }) => `${test} @ ${file}:${line}`)).toEqual([
      'slugify > strips punctuation @ test/slug.test.js:10',
      'fetchTitle > rejects negative ids @ test/slug.test.js:16',
      'fetchTitle > returns a deep structure @ test/slug.test.js:19',
    ]);
  });

  it('quotes the error of a TAP report without its YAML keys or runtime frames', async () => {
    const text = excerptText(await diagnoseFixture('node-test-tap'));
    expect(text).toContain("+ 'hello,-world!'");
    expect(text).toContain('id must be positive, got -1');
    expect(text).not.toMatch(/duration_ms|failureType|node:internal|async Promise\.all|operator:/);
  });

  it('reads the spec reporter from its "failing tests" summary', async () => {
    const diagnosis = await diagnoseFixture('node-test-spec');
    expect(diagnosis.failureCount).toBe(3);
    expect(diagnosis.failures[1]).toMatchObject({
      test: 'rejects negative ids',
      message: 'RangeError [Error]: id must be positive, got -1',
    });
    expect(excerptText(diagnosis)).not.toMatch(/generatedMessage|node:internal/);
  });
});
