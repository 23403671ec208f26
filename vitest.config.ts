import { defineConfig } from 'vitest/config';

/**
 * Worker processes (forks) that each run many test files, importing Keel's modules once per worker
 * rather than once per file: on a 2-core machine that halves the suite's CPU time. Each file still
 * gets its own test module and hooks; test/setup.ts fails a file that leaves a Keel running, the one
 * state that would leak into the next file (its background work answering another file's mocks).
 *
 * Three workers on two cores: most tests wait on loopback servers, Postgres, child processes and
 * Chromium, so a third keeps the cores busy. minWorkers equals maxWorkers: with fewer, tinypool
 * retires an idle worker while vitest recycles workers between files and reports "Terminating
 * worker thread" (vitest 3.2, isolate: false).
 */
const WORKERS = 3;

/**
 * Files that need fresh modules: @octokit/plugin-throttling creates its limiter groups once per
 * process, with or without the Redis connection of whichever Keel asked first.
 */
const NEEDS_FRESH_MODULES = ['test/github/redis-throttling.test.ts'];
const TEST_FILES = ['test/**/*.test.ts', 'test/**/*.test.tsx'];

export default defineConfig({
  test: {
    environment: 'node',
    pool: 'forks',
    maxWorkers: WORKERS,
    minWorkers: WORKERS,
    testTimeout: 20_000,
    hookTimeout: 30_000,
    globalSetup: ['test/helpers/postgres-template.ts'],
    setupFiles: ['test/setup.ts'],
    projects: [
      { extends: true, test: { name: 'shared', include: TEST_FILES, exclude: NEEDS_FRESH_MODULES, isolate: false } },
      { extends: true, test: { name: 'fresh', include: NEEDS_FRESH_MODULES, isolate: true } },
    ],
  },
});
