import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';

/** Sets keys in a .env file, keeping every other line as it was; the file is left readable by its owner only. */
export function updateEnvFile(path: string, values: Record<string, string>): void {
  const existing = existsSync(path) ? readFileSync(path, 'utf8').replace(/\n+$/, '') : '';
  const lines = existing === '' ? [] : existing.split('\n');
  const remaining = new Map(Object.entries(values));
  const updated = lines.map((line) => {
    const key = /^\s*([A-Z0-9_]+)\s*=/.exec(line)?.[1];
    if (!key || !remaining.has(key)) return line;
    const value = remaining.get(key) ?? '';
    remaining.delete(key);
    return `${key}=${value}`;
  });
  for (const [key, value] of remaining) updated.push(`${key}=${value}`);
  // Tighten before writing the secrets: `mode` only applies when the file is created.
  if (existsSync(path)) chmodSync(path, 0o600);
  writeFileSync(path, `${updated.join('\n')}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
}
