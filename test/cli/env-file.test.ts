import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withEnvFile } from '../../src/cli/env-file.js';

function envFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'keel-cli-env-')), '.env');
  writeFileSync(path, text);
  return path;
}

describe('the CLI reads .env like npm start does', () => {
  it('takes KEEL_ADMIN_TOKEN, PORT and WEBHOOK_SECRET from .env', () => {
    const path = envFile('PORT=4000\nKEEL_ADMIN_TOKEN=from-env-file-0123456789\nWEBHOOK_SECRET="s3cret"\n');
    expect(withEnvFile({}, path)).toMatchObject({
      PORT: '4000',
      KEEL_ADMIN_TOKEN: 'from-env-file-0123456789',
      WEBHOOK_SECRET: 's3cret',
    });
  });

  it('lets the shell environment win over .env', () => {
    const path = envFile('KEEL_URL=http://from-file:1\n');
    expect(withEnvFile({ KEEL_URL: 'http://from-shell:2' }, path).KEEL_URL).toBe('http://from-shell:2');
  });

  it('works without a .env file', () => {
    expect(withEnvFile({ PORT: '5000' }, join(tmpdir(), 'no-such-dir-keel', '.env'))).toEqual({ PORT: '5000' });
  });
});
