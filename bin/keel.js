#!/usr/bin/env node
// `npx keel …`: the compiled CLI (npm install builds dist/ through the prepare script).
import { withEnvFile } from '../dist/cli/env-file.js';
import { runCli } from '../dist/cli/index.js';

process.exitCode = await runCli(process.argv.slice(2), {
  env: withEnvFile(process.env),
  stdout: process.stdout,
  stderr: process.stderr,
});
