import { describe, expect, it } from 'vitest';
import { diagnoseFixture, excerptText } from './diagnose-fixture.js';

const located = (failures: { test?: string; file?: string; line?: number }[]): string[] =>
  failures.map(({ test, file, line }) => `${test ?? ''} @ ${file ?? ''}:${line ?? ''}`);

describe('diagnosing pytest', () => {
  it('takes names and messages from the short summary and lines from the failure blocks', async () => {
    const diagnosis = await diagnoseFixture('pytest-failures');
    expect(diagnosis).toMatchObject({ kind: 'test-failure', tool: 'pytest', failureCount: 4 });
    expect(located(diagnosis.failures)).toEqual([
      'test_reserve_everything @ tests/test_stock.py:12',
      'test_reserve_unknown_sku @ tests/test_stock.py:17',
      'test_reserve_many[6--1] @ tests/test_stock.py:22',
      'test_report_lines @ tests/test_stock.py:26',
    ]);
    expect(diagnosis.failures[1]?.message).toBe("KeyError: 'ZZ'");
  });

  it('quotes the failing line and the E lines, not the surrounding source', async () => {
    const text = excerptText(await diagnoseFixture('pytest-failures'));
    expect(text).toContain('>       assert reserve(stock, "A1", 5) == 1');
    expect(text).toContain('E       AssertionError: assert 0 == 1');
    expect(text).toContain('inventory/stock.py:4: ValueError');
    expect(text).not.toMatch(/def test_reserve_everything|stock = \{"A1": 5\}|_ _ _|test session starts/);
  });
});

describe('diagnosing go test', () => {
  it('reports the failing subtest, not its parent, with its t.Errorf line', async () => {
    const { failures, tool } = await diagnoseFixture('go-test-failures');
    expect(tool).toBe('go test');
    expect(failures[0]).toEqual({
      test: 'TestFormat/10.05',
      file: 'ledger_test.go',
      line: 20,
      message: 'Format(1005) = "10.5", want "10.05"',
    });
  });

  it('locates a panic in the first frame of the module, past the runtime', async () => {
    const diagnosis = await diagnoseFixture('go-test-failures');
    expect(diagnosis.failures[1]).toEqual({
      test: 'TestLookup',
      file: 'ledger.go',
      line: 25,
      message: 'runtime error: index out of range [1] with length 1',
    });
    expect(excerptText(diagnosis)).toContain('/home/runner/work/ledger/ledger/ledger.go:25');
    expect(excerptText(diagnosis)).not.toMatch(/testing\.tRunner|goroutine \d+|example\.com\/ledger\/money/);
  });
});

describe('diagnosing cargo test', () => {
  it('reads panics with the thread id recent Rust prints', async () => {
    const diagnosis = await diagnoseFixture('cargo-test-panics');
    expect(diagnosis).toMatchObject({ kind: 'test-failure', tool: 'cargo test', exitCode: 101 });
    expect(located(diagnosis.failures)).toEqual([
      'tests::bump_minor_resets_patch @ src/lib.rs:21',
      'tests::parses_short_version @ src/lib.rs:3',
      'tests::rejects_garbage @ src/lib.rs:2',
    ]);
  });

  it('quotes the assertion with its left and right values', async () => {
    const text = excerptText(await diagnoseFixture('cargo-test-panics'));
    expect(text).toContain('assertion `left == right` failed\n  left: (1, 3, 3)\n right: (1, 3, 0)');
    expect(text).not.toMatch(/RUST_BACKTRACE|parses_full_version|Compiling/);
  });
});

describe('diagnosing Maven', () => {
  it('reads Surefire failures written with the "Error:  " prefix of GitHub runners', async () => {
    const diagnosis = await diagnoseFixture('maven-surefire');
    expect(diagnosis).toMatchObject({ kind: 'test-failure', tool: 'maven' });
    expect(located(diagnosis.failures)).toEqual([
      'CartServiceTest.totalIncludesTax @ CartServiceTest.java:27',
      'CartServiceTest.rejectsUnknownSku @ CartServiceTest.java:35',
    ]);
    expect(diagnosis.failures[0]?.message).toBe('expected: <21.0> but was: <22.0>');
  });

  it('quotes the exception and the frames in project code, not JUnit or reflection frames', async () => {
    const text = excerptText(await diagnoseFixture('maven-surefire'));
    expect(text).toContain('org.opentest4j.AssertionFailedError: expected: <21.0> but was: <22.0>');
    expect(text).toContain('at com.example.cart.CartService.add(CartService.java:41)');
    expect(text).not.toMatch(/AssertionFailureBuilder|Method\.invoke|\[INFO\]|Help 1/);
  });

  it('reports compiler errors once although Maven prints them twice', async () => {
    const diagnosis = await diagnoseFixture('maven-compile');
    expect(diagnosis).toMatchObject({ kind: 'compile-error', tool: 'maven', failureCount: 2 });
    expect(diagnosis.failures[0]).toEqual({
      file: 'src/main/java/com/example/cart/CartService.java',
      line: 41,
      message: 'cannot find symbol',
    });
    expect(excerptText(diagnosis)).toContain('symbol:   method priceOf(java.lang.String)');
  });
});

describe('diagnosing Gradle', () => {
  it('lists failed tests with the exception and line Gradle prints', async () => {
    const diagnosis = await diagnoseFixture('gradle-test');
    expect(diagnosis).toMatchObject({ kind: 'test-failure', tool: 'gradle' });
    expect(diagnosis.failures[1]).toEqual({
      test: 'CartServiceTest > rejectsUnknownSku()',
      file: 'CartServiceTest.java',
      line: 35,
      message: 'java.lang.NullPointerException',
    });
    expect(excerptText(diagnosis)).toContain('> There were failing tests.');
  });

  it('reads Kotlin compile errors with repository-relative paths', async () => {
    const diagnosis = await diagnoseFixture('gradle-kotlin-compile');
    expect(diagnosis).toMatchObject({ kind: 'compile-error', tool: 'gradle' });
    expect(diagnosis.failures[0]).toMatchObject({
      file: 'app/src/main/java/com/example/notes/NoteRepository.kt',
      line: 12,
    });
    expect(excerptText(diagnosis)).toContain(
      'e: app/src/main/java/com/example/notes/NoteRepository.kt:12:21 Unresolved reference: findByTitle',
    );
    expect(excerptText(diagnosis)).not.toMatch(/UP-TO-DATE|--stacktrace/);
  });
});
