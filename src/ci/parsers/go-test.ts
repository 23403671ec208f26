import { FailureList, pushCapped, relativizePath, toLineNumber } from './failure-list.js';
import type { Failure, LogParser, ParseResult } from './log-parser.js';

const RUN = /^=== RUN\s+(\S+)/;
const TEST_FAIL = /^(\s*)--- FAIL: (\S+) \(/;
const TEST_OUTPUT = /^\s+([\w.-]+\.go):(\d+): (.*)$/;
const PACKAGE_FAIL = /^FAIL\s+(\S+)\s+(?:\[(build failed|setup failed)\]|[\d.]+s)/;
const BUILD_ERROR = /^((?:\.\/|\/)?[\w./-]+\.go):(\d+):(?:\d+:)? (.+)$/;
// `# pkg` before a package's build errors; `# pkg [pkg.test]` when its test binary does not build.
const PACKAGE_HEADER = /^# [\w./-]+(?: \[[\w./-]+\])?$/;
const GOROOT_FRAME = /\/(?:src\/runtime|src\/testing|hostedtoolcache|usr\/lib\/go|usr\/local\/go)\//;

interface Pending {
  failure: Failure;
  block: string[] | null;
}

// The lines this parser reacts to while idle; a cheap first test before its own patterns.
const IDLE_LINE = /^(?:=== RUN|\s*--- FAIL: |panic: |FAIL\s|# )/;

/** `go test`: `--- FAIL:` lines with their t.Error output, panics, and build failures. */
export function createGoTestParser(): LogParser {
  const list = new FailureList();
  const byName = new Map<string, Pending>();
  const outputs: { name: string; line: string; file: string; at: number | undefined; text: string }[] = [];
  const buildErrors = new FailureList();
  const packageFailures: string[] = [];
  let lastRun = '';
  let lastFail: Pending | null = null;
  let panic: string[] | null = null;
  let building = false;
  let packageHeader: string | null = null; // quoted above the package's first build error

  const attach = (pending: Pending, line: string, file: string, at: number | undefined, text: string): void => {
    if (!pending.failure.file) {
      pending.failure.file = relativizePath(file);
      pending.failure.line = at;
      pending.failure.message = text;
    }
    pushCapped(pending.block, line);
  };

  return {
    tool: 'go test',
    get capturing() {
      return lastRun !== '' || lastFail !== null || panic !== null || building;
    },
    feed(line) {
      if (!this.capturing && !IDLE_LINE.test(line)) return;
      const run = RUN.exec(line);
      if (run) {
        lastRun = run[1] ?? '';
        lastFail = null;
        if (!lastRun.includes('/')) outputs.length = 0;
        return;
      }
      if (PACKAGE_HEADER.test(line)) {
        building = true;
        packageHeader = line;
        return;
      }
      const failed = TEST_FAIL.exec(line);
      if (failed) {
        const name = failed[2] ?? '';
        // A parent fails because a subtest did: keep the subtest only.
        const parent = name.includes('/') ? byName.get(name.slice(0, name.lastIndexOf('/'))) : undefined;
        if (parent) parent.failure.message = '';
        const pending: Pending = { failure: { test: name, message: 'failed' }, block: null };
        list.add(pending.failure);
        pending.block = list.startBlock();
        pushCapped(pending.block, line.trim());
        if (byName.size < 200) byName.set(name, pending);
        for (const output of outputs.filter((entry) => entry.name === name)) {
          attach(pending, output.line, output.file, output.at, output.text);
        }
        lastFail = pending;
        return;
      }
      const output = TEST_OUTPUT.exec(line);
      if (output) {
        const [, file = '', at, text = ''] = output;
        if (lastFail) attach(lastFail, line.trim(), file, toLineNumber(at), text);
        else if (lastRun && outputs.length < 50)
          outputs.push({ name: lastRun, line: line.trim(), file, at: toLineNumber(at), text });
        return;
      }
      if (line.startsWith('panic: ')) {
        panic = [line];
        if (lastFail) {
          lastFail.failure.message = line.slice('panic: '.length).replace(/ \[recovered\]$/, '');
          pushCapped(lastFail.block, line);
        }
        return;
      }
      if (panic && line.startsWith('\t/') && !GOROOT_FRAME.test(line)) {
        const frame = /^\t(\S+\.go):(\d+)/.exec(line);
        if (lastFail && frame && !lastFail.failure.file) {
          lastFail.failure.file = relativizePath(frame[1] ?? '');
          lastFail.failure.line = toLineNumber(frame[2]);
          pushCapped(lastFail.block, panic[panic.length - 1] ?? '');
          pushCapped(lastFail.block, line);
        }
        return;
      }
      if (panic && line.length > 0 && !line.startsWith('\t')) panic = [line];
      const packageFail = PACKAGE_FAIL.exec(line);
      if (packageFail) {
        if (packageFailures.length < 20) packageFailures.push(line);
        lastFail = null;
        lastRun = '';
        panic = null;
        building = false;
        return;
      }
      const buildError = BUILD_ERROR.exec(line);
      // A build error block ends at the next line Go prints unindented (`ok`, `?`, `FAIL`, a test).
      if (building && !buildError && line.length > 0 && !/^\s/.test(line)) building = false;
      if (buildError && building) {
        buildErrors.add({
          file: relativizePath(buildError[1] ?? ''),
          line: toLineNumber(buildError[2]),
          message: buildError[3] ?? '',
        });
        const block = buildErrors.blocks[0] ?? buildErrors.startBlock();
        if (packageHeader) pushCapped(block, packageHeader);
        packageHeader = null;
        pushCapped(block, line);
      }
    },
    finish(): ParseResult | null {
      const failures = list.failures.filter((failure) => failure.message !== '');
      if (failures.length > 0) {
        return {
          tool: 'go test',
          kind: 'test-failure',
          failures,
          failureCount: list.count - (list.failures.length - failures.length),
          blocks: list.blocks.filter((_, index) => list.failures[index]?.message !== ''),
          summary: packageFailures[0],
          confidence: 0.9,
        };
      }
      if (buildErrors.count === 0) return null;
      // `go build` and `go vet` print no FAIL line: the `# pkg` header alone says Go printed them.
      return {
        tool: packageFailures.length > 0 ? 'go test' : 'go',
        kind: 'compile-error',
        failures: buildErrors.failures,
        failureCount: buildErrors.count,
        blocks: buildErrors.blocks,
        summary: packageFailures[0],
        confidence: packageFailures.length > 0 ? 0.85 : 0.7,
      };
    },
  };
}
