import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createKeelOctokit } from '../src/github/octokit.js';
import type { KeelPlugin } from '../src/keel.js';
import { createLogger, createSecretScrubber } from '../src/logging.js';
import { example, testPrivateKey } from '../fixtures/index.js';
import { githubApi, useGitHubMock } from './helpers/github-mock.js';
import { startKeel, type TestKeel } from './helpers/keel.js';

async function capture(secrets: string[]) {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString('utf8'));
      callback();
    },
  });
  const log = await createLogger({ level: 'debug', format: 'json', scrub: createSecretScrubber(secrets), destination });
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

/** A new-format installation token as GitHub mints them since 2026: `ghs_<app id>_<JWT>`, ~520 characters. */
function newFormatToken(): string {
  const encode = (value: string | Buffer) => Buffer.from(value).toString('base64url');
  const header = encode(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
  const payload = encode(
    JSON.stringify({ iss: 'github', sub: 'installation:957387', app: 12345, iat: 1764547200, exp: 1764550800 }),
  );
  const signature = encode(randomBytes(256));
  return `ghs_12345_${header}.${payload}.${signature}`;
}

/** Every dot- or dash-separated piece of the token longer than a few characters: none may leak. */
function pieces(token: string): string[] {
  return token.split(/[._-]/).filter((piece) => piece.length > 8);
}

function expectNoPieceOf(text: string, token: string): void {
  for (const piece of pieces(token)) expect(text).not.toContain(piece);
}

describe('new-format installation tokens and other credentials are redacted whole', () => {
  const token = newFormatToken();

  it('builds a realistic token (about 520 characters, with dots and dashes or underscores)', () => {
    expect([token.length > 480 && token.length < 560, token.split('.').length]).toEqual([true, 3]);
  });

  it('redacts the whole token, the JWT payload and signature included', () => {
    const scrub = createSecretScrubber([]);
    expect(scrub(`minted ${token} for 957387.`)).toBe('minted [REDACTED TOKEN] for 957387.');
  });

  it.each([
    ['a personal access token', `ghp_${'a1B2c3D4'.repeat(5)}`],
    ['an OAuth token', `gho_${'a1B2c3D4'.repeat(5)}`],
    ['a user-to-server token', `ghu_${'a1B2c3D4'.repeat(5)}`],
    ['a refresh token', `ghr_${'a1B2c3D4'.repeat(9)}`],
    ['a fine-grained personal access token', `github_pat_11ABCDEFG0_${'a1B2c3D4'.repeat(10)}`],
  ])('redacts %s', (_name, secret) => {
    expect(createSecretScrubber([])(`using ${secret} now`)).toBe('using [REDACTED TOKEN] now');
  });

  it("redacts a JWT on its own (the app's JWT in a Bearer header)", () => {
    const jwt = token.slice('ghs_12345_'.length);
    const clean = createSecretScrubber([])(`Authorization: Bearer ${jwt}`);
    expect(clean).not.toContain(jwt.split('.')[1]);
    expect(clean).not.toContain(jwt.split('.')[2]);
  });

  it.each([
    ['authorization: token 0123456789abcdef0123', 'authorization: [REDACTED]'],
    ['"authorization":"Bearer s3cr3t-opaque-value-123"', '"authorization":"[REDACTED]"'],
    ['Authorization: Basic dXNlcjpwYXNzd29yZA==', 'Authorization: [REDACTED]'],
  ])('redacts the authorization value in %s', (text, expected) => {
    expect(createSecretScrubber([])(text)).toBe(expected);
  });

  it('redacts the password of a Redis or database URL', () => {
    const clean = createSecretScrubber([])('connect ECONNREFUSED redis://:hunter2hunter2@10.0.0.5:6379/0');
    expect(clean).toBe('connect ECONNREFUSED redis://[REDACTED]@10.0.0.5:6379/0');
  });

  it('keeps the token out of messages, errors and logged request objects', async () => {
    const { log, output } = await capture([]);
    log.info(`token ${token} cached`);
    log.error({ err: new Error(`handler failed with ${token}`) }, 'failed');
    log.debug({ request: { headers: { 'x-token': token } } }, 'debug');
    log.info(
      {
        request: {
          method: 'GET',
          url: `https://api.github.com/x?access=${token}`,
          headers: { authorization: `token ${token}` },
        },
      },
      'GET /x',
    );
    expectNoPieceOf(output(), token);
    expect(output()).toContain('[REDACTED TOKEN]');
  });

  describe("in an Octokit RequestError (Keel's Octokit, a real request)", () => {
    useGitHubMock();

    it('keeps the token out of the logged error and its request', async () => {
      githubApi()
        .get('/repos/acme/app')
        .reply(422, { message: `Validation failed for ${token}` });
      const { Octokit } = createKeelOctokit({ throttle: false });
      const octokit = new Octokit({ auth: { token }, retry: { enabled: false } } as ConstructorParameters<
        typeof Octokit
      >[0]);
      const error = await octokit
        .request('GET /repos/{owner}/{repo}', { owner: 'acme', repo: 'app' })
        .catch((e: unknown) => e);
      const { log, output } = await capture([]);
      log.error({ err: error }, 'GitHub request failed');
      log.warn(error);
      log.info({ request: (error as { request: unknown }).request }, 'the request that failed');
      expectNoPieceOf(output(), token);
    });
  });

  describe('in the inbox error column of a failed delivery', () => {
    let keel: TestKeel | undefined;
    afterEach(async () => keel?.stop());

    it('stores the handler failure with the token redacted', async () => {
      const failing: KeelPlugin = ({ probot }) => {
        probot.on('pull_request.opened', () => {
          throw new Error(`GitHub refused token ${token}`);
        });
      };
      keel = await startKeel({ plugins: [failing] });
      await keel.send('pull_request', example('pull_request.opened'), 'delivery-with-token');
      await keel.keel.worker.idle();
      const [delivery] = (await (await keel.api('/api/deliveries?limit=1')).json()) as { error: string }[];
      expect(delivery?.error).toContain('GitHub refused token [REDACTED TOKEN]');
      expectNoPieceOf(JSON.stringify(delivery), token);
      expectNoPieceOf(keel.logs.join('\n'), token);
    });
  });
});
