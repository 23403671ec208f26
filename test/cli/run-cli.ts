/** Runs the CLI in-process against a running test Keel and captures what it prints. */
import { runCli } from '../../src/cli/index.js';
import { TEST_ADMIN_TOKEN, type TestKeel } from '../helpers/keel.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runAgainst(keel: TestKeel, argv: string[], env: Record<string, string> = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    env: { KEEL_URL: keel.url, KEEL_ADMIN_TOKEN: TEST_ADMIN_TOKEN, ...env },
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  return { code, stdout, stderr };
}
