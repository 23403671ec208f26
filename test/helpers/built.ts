/**
 * The compiled Keel in dist/, for tests that run it as operators do (`npm start`, `./bin/keel.js`).
 * `npm test` builds it before vitest; a test run on its own after an edit would otherwise test the
 * previous build, so a stale or missing dist/ fails with the command that rebuilds it.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export const ROOT = new URL('../..', import.meta.url).pathname;

function listSources(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return listSources(path);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

function modifiedAt(path: string): number | undefined {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

/** Throws, naming a source file and the fix, when dist/ is missing or older than src/. */
export function assertBuilt(): void {
  const source = join(ROOT, 'src');
  for (const file of listSources(source)) {
    const built = join(ROOT, 'dist', relative(source, file).replace(/\.tsx?$/, '.js'));
    const builtAt = modifiedAt(built);
    if (builtAt === undefined || builtAt < (modifiedAt(file) ?? 0)) {
      throw new Error(
        `dist/ is ${builtAt === undefined ? 'missing' : 'older than'} ${relative(ROOT, file)}: ` +
          'run `npm run build` (npm test builds it before the tests).',
      );
    }
  }
}
