import { describe, expect, it } from 'vitest';
import { diagnoseJobLog, type Diagnosis } from '../../src/ci/diagnose.js';
import { listCorpus, measureCorpus, scoreCase } from '../../fixtures/ci/corpus.js';

/** Diagnoses one log of fixtures/ci/corpus/ (real tool output, wrapped as the failing step of a job). */
async function diagnoseCorpusLog(name: string): Promise<Diagnosis> {
  const found = listCorpus().find((entry) => entry.name === name);
  if (!found) throw new Error(`no corpus log named ${name}`);
  return (await scoreCase(found.name, found.spec)).diagnosis;
}

async function diagnoseOutput(output: readonly string[], command = 'make'): Promise<Diagnosis> {
  const log = [`##[group]Run ${command}`, command, 'shell: /usr/bin/bash -e {0}', '##[endgroup]', ...output];
  return diagnoseJobLog({
    workflow: 'CI',
    job: {
      id: 1,
      name: 'build',
      conclusion: 'failure',
      steps: [{ name: `Run ${command}`, number: 1, conclusion: 'failure' }],
    },
    logUrl: 'u',
    lines: (async function* () {
      yield `${[...log, '##[error]Process completed with exit code 2.'].join('\n')}\n`;
    })(),
  });
}

describe('lines a problem matcher marked with ##[error]', () => {
  it('are read as Go build errors (setup-go)', async () => {
    const diagnosis = await diagnoseCorpusLog('go-test-build-only-matcher');
    expect(diagnosis).toMatchObject({ kind: 'compile-error', tool: 'go test' });
    expect(diagnosis.failures[0]).toEqual({ file: 'internal/sku/sku_test.go', line: 12, message: 'undefined: os' });
  });

  it('keep the file tsc names (setup-node)', async () => {
    const diagnosis = await diagnoseCorpusLog('tsc-strict-errors-matcher');
    expect(diagnosis.tool).toBe('tsc');
    expect(diagnosis.failures.map((failure) => failure.file)).toEqual(['src/cart.ts', 'src/cart.ts', 'src/index.ts']);
  });
});

describe('diagnosing Go', () => {
  it('recognises the `# pkg [pkg.test]` header of a test binary that does not build', async () => {
    const diagnosis = await diagnoseCorpusLog('go-test-build-only');
    expect(diagnosis).toMatchObject({ kind: 'compile-error', tool: 'go test', failureCount: 2 });
    expect(diagnosis.excerpt).toContain('# github.com/acme/shop/internal/sku [github.com/acme/shop/internal/sku.test]');
  });

  it('quotes no `go: downloading` progress around the error', async () => {
    const diagnosis = await diagnoseCorpusLog('go-build-missing-module');
    expect(diagnosis.excerpt).toHaveLength(1);
    expect(diagnosis.excerpt[0]).toMatch(/^cmd\/app\/main.go:3:8: github.com\/spf13\/cobra@v1.8.0: Get /);
  });
});

describe('lines starting with `error: ` that rustc did not print', () => {
  it('are not a cargo compile error when git prints them', async () => {
    const diagnosis = await diagnoseCorpusLog('git-checkout-missing-ref');
    expect(diagnosis).toMatchObject({ kind: 'unknown', tool: null });
    expect(diagnosis.failures[0]?.message).toBe("error: pathspec 'release/2.4' did not match any file(s) known to git");
  });

  it('are a docker failure when buildx prints them', async () => {
    const diagnosis = await diagnoseCorpusLog('docker-buildx-legacy');
    expect(diagnosis.tool).toBe('docker');
  });
});

describe('diagnosing Python tracebacks', () => {
  it('names the exception and the deepest line of the script, not "Traceback"', async () => {
    const diagnosis = await diagnoseCorpusLog('python-script-traceback');
    expect(diagnosis.tool).toBe('python');
    expect(diagnosis.failures[0]).toEqual({
      file: 'migrate.py',
      line: 7,
      message: 'json.decoder.JSONDecodeError: Expecting value: line 1 column 36 (char 35)',
    });
  });

  it('names each failing unittest test with its line', async () => {
    const diagnosis = await diagnoseCorpusLog('python-unittest');
    expect(diagnosis).toMatchObject({ kind: 'test-failure', tool: 'unittest', failureCount: 2 });
    expect(diagnosis.failures.map(({ test, file, line }) => ({ test, file, line }))).toEqual([
      { test: 'TotalTest.test_parse_qty', file: 'tests/test_cart.py', line: 14 },
      { test: 'TotalTest.test_two_items', file: 'tests/test_cart.py', line: 8 },
    ]);
    expect(diagnosis.failures[1]?.message).toBe('AssertionError: 26 != 25');
  });
});

describe('diagnosing Maven Surefire', () => {
  it('reads Surefire 2.12 reports, printed without [ERROR]', async () => {
    const diagnosis = await diagnoseCorpusLog('maven-surefire-2.12');
    expect(diagnosis).toMatchObject({ kind: 'test-failure', tool: 'maven' });
    expect(diagnosis.failures[0]?.test).toBe('CollectHelperTest.testCheckFailed');
    expect(diagnosis.excerpt.join('\n')).toContain('org.mockito.exceptions.misusing.InvalidUseOfMatchersException');
  });

  it('reads the `pkg.Class.method  Time elapsed` header of Surefire 3.0.0-M', async () => {
    const diagnosis = await diagnoseOutput(
      [
        '[ERROR] com.acme.CartTest.totalOf  Time elapsed: 0.004 s  <<< FAILURE!',
        'org.opentest4j.AssertionFailedError: expected: <20> but was: <22>',
        '\tat com.acme.CartTest.totalOf(CartTest.java:5)',
        '[ERROR] Failed to execute goal org.apache.maven.plugins:maven-surefire-plugin:3.0.0-M5:test (default-test) on project cart: There are test failures.',
      ],
      'mvn -B test',
    );
    expect(diagnosis.failures[0]).toMatchObject({ test: 'CartTest.totalOf', file: 'CartTest.java', line: 5 });
  });
});

describe('diagnosing Gradle', () => {
  it('locates a failing test from its own frame when Gradle prints the full exception', async () => {
    const diagnosis = await diagnoseOutput(
      [
        'CartServiceTest > totalIncludesTax() FAILED',
        '    org.opentest4j.AssertionFailedError: expected: <21.0> but was: <22.0>',
        '        at app//org.junit.jupiter.api.AssertionFailureBuilder.build(AssertionFailureBuilder.java:151)',
        '        at app//com.example.cart.CartServiceTest.totalIncludesTax(CartServiceTest.java:27)',
        '',
        '> Task :app:test FAILED',
      ],
      './gradlew build',
    );
    expect(diagnosis.failures[0]).toEqual({
      test: 'CartServiceTest > totalIncludesTax()',
      file: 'CartServiceTest.java',
      line: 27,
      message: 'org.opentest4j.AssertionFailedError: expected: <21.0> but was: <22.0>',
    });
  });
});

describe('the fallback for output no parser knows', () => {
  it('does not take the word "error" in a flag for an error', async () => {
    const diagnosis = await diagnoseOutput([
      'cc -Wall -Werror -Wno-error=deprecated-declarations -O2 -c src/queue.c -o queue.o',
      'eslint --max-warnings=0 --fail-on-error src',
      'strip: libqueue.a: file format not recognized',
    ]);
    expect(diagnosis.failures[0]?.message).toBe('strip: libqueue.a: file format not recognized');
  });

  it('says so when the step printed nothing: the exit code and the last command', async () => {
    const diagnosis = await diagnoseCorpusLog('silent-failure');
    expect(diagnosis.note).toBe('The step failed without output: exit code 1, last command `test -f dist/index.js`.');
    expect(diagnosis.excerpt).toEqual([]);
  });
});

describe('accuracy over the corpus of real failed logs', () => {
  // Floors a little under the figures in the README, so a change that makes diagnoses worse fails here.
  it('quotes an error line of every log, mostly error lines, and most of them', async () => {
    const score = await measureCorpus();
    expect(score.logs).toBeGreaterThanOrEqual(60);
    expect(score.cases.filter((item) => !item.hit).map((item) => item.name)).toEqual([]);
    expect(score.precision).toBeGreaterThanOrEqual(0.85);
    expect(score.recall).toBeGreaterThanOrEqual(0.72);
    expect(score.toolAndLocation).toBeGreaterThanOrEqual(0.95);
  });
});
