#!/usr/bin/env node
// `npm install` / `npm ci` run this: build dist/ with TypeScript when it is installed (a clone,
// the Docker build stage). A production install (`npm ci --omit=dev`) has no TypeScript: it then
// uses the dist/ built beforehand, and says what to do when there is none.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let tsc;
try {
  tsc = require.resolve('typescript/bin/tsc');
} catch {
  tsc = undefined;
}

if (tsc) {
  const build = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  process.exit(build.status ?? 1);
} else if (existsSync(new URL('../dist/main.js', import.meta.url))) {
  console.log('keel: TypeScript is not installed (production install); using the dist/ built beforehand.');
} else {
  console.error(
    'keel: dist/ is missing and TypeScript is not installed, so it cannot be built.\n' +
      '  fix: build first with dev dependencies (`npm ci && npm run build`), then `npm ci --omit=dev`; ' +
      'or use the Dockerfile, which does both.',
  );
  process.exit(1);
}
