import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, createSecretScrubber } from '../src/logging.js';
import { testPrivateKey } from '../fixtures/index.js';

async function capture(secrets: string[]) {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString('utf8'));
      callback();
    },
  });
  const log = await createLogger({ level: 'info', format: 'json', scrub: createSecretScrubber(secrets), destination });
  return { log, output: () => lines.join('') };
}

describe('logs keep secrets out', () => {
  it('redacts installation tokens in messages', async () => {
    const { log, output } = await capture([]);
    log.info(`minted ghs_${'A1b2C3d4'.repeat(4)} for 42`);
    expect(output()).toContain('minted [REDACTED TOKEN] for 42');
  });

  it('redacts a private key and known secret values in error messages and stacks', async () => {
    const { log, output } = await capture(['super-secret-webhook']);
    log.error({ err: new Error(`bad key ${testPrivateKey()} with super-secret-webhook`) }, 'failed');
    expect(output()).not.toContain('PRIVATE KEY-----\nMII');
    expect(output()).not.toContain('super-secret-webhook');
    expect(output()).toContain('[REDACTED PRIVATE KEY]');
  });

  it('redacts an error logged without a message, as Probot logs a failed handler', async () => {
    const { log, output } = await capture(['super-secret-webhook']);
    const token = `ghs_${'A1b2C3d4'.repeat(4)}`;
    log.child({ name: 'event', id: 'd1' }).error(new Error(`failed with ${token} and super-secret-webhook`));
    log.warn({ err: new Error(`also ${token}`) });
    expect(output()).not.toContain(token);
    expect(output()).not.toContain('super-secret-webhook');
    const [first] = output()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(first).toMatchObject({
      msg: 'failed with [REDACTED TOKEN] and [REDACTED]',
      err: { type: 'Error', message: 'failed with [REDACTED TOKEN] and [REDACTED]' },
    });
  });

  it('redacts authorization headers in logged objects', async () => {
    const { log, output } = await capture([]);
    log.info({ headers: { authorization: 'token abc' } }, 'request');
    expect(output()).toContain('"authorization":"[REDACTED]"');
  });
});
