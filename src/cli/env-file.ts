/**
 * The CLI reads `.env` the way `npm start` does, so `npx keel status` in the project directory
 * finds KEEL_ADMIN_TOKEN, PORT and WEBHOOK_SECRET without exporting them. The shell wins.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';

export function withEnvFile(
  env: Record<string, string | undefined>,
  path = '.env',
): Record<string, string | undefined> {
  if (!existsSync(path)) return { ...env };
  return { ...parseEnv(readFileSync(path, 'utf8')), ...env };
}
