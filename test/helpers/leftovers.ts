/**
 * What a test file started and must end before the next file runs in the same worker (vitest runs
 * many files per worker process, see vitest.config.ts): running Keels, whose background work would
 * answer the next file's GitHub mocks, and Postgres databases still being dropped. test/setup.ts
 * settles them after each file.
 */

interface Leftover {
  /** Said when the file did not end it itself, e.g. "a Keel on http://127.0.0.1:4123". */
  describe: string;
  /** Whether forgetting to end it is the test file's mistake (a Keel) or expected (a drop under way). */
  mustEndInFile: boolean;
  end(): Promise<void>;
}

const leftovers = new Set<Leftover>();

/** Records something running; call the returned function once it has ended. */
export function trackLeftover(leftover: Leftover): () => void {
  leftovers.add(leftover);
  return () => {
    leftovers.delete(leftover);
  };
}

/**
 * Ends everything still running, and throws naming what the file should have ended itself (and
 * why a later end failed): the next file then starts clean either way.
 */
export async function settleLeftovers(): Promise<void> {
  const pending = [...leftovers];
  leftovers.clear();
  const forgotten = pending.filter((leftover) => leftover.mustEndInFile).map((leftover) => leftover.describe);
  const results = await Promise.allSettled(pending.map((leftover) => leftover.end()));
  const failures = results.flatMap((result, index) =>
    result.status === 'rejected' ? [`${pending[index]?.describe ?? ''}: ${String(result.reason)}`] : [],
  );
  const problems: string[] = [];
  if (forgotten.length > 0) {
    problems.push(
      `Still running after this file's tests (stop each in afterEach or afterAll, e.g. \`afterEach(() => keel.stop())\`):\n  ${forgotten.join('\n  ')}`,
    );
  }
  if (failures.length > 0) problems.push(`Could not be ended:\n  ${failures.join('\n  ')}`);
  if (problems.length > 0) throw new Error(problems.join('\n'));
}
