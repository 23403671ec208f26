import { describe, expect, it } from 'vitest';
import { parsePatch } from '../../../src/pr-checks/diff.js';
import { findSecrets } from '../../../src/pr-checks/rules/secrets.js';
import type { AddedLine, Finding } from '../../../src/pr-checks/types.js';
import { fakeSecrets, readPrChecksFixture } from '../../../fixtures/pr-checks/helpers.js';
import { fakeInstallationToken, fakeJwt } from '../../../fixtures/ci/leaked-secrets.js';

const secrets = fakeSecrets(7);

const lines = (...texts: string[]): AddedLine[] => texts.map((text, index) => ({ line: index + 1, text }));
const scan = (...texts: string[]): Finding[] => findSecrets('src/config.ts', lines(...texts));

/** Every secret value the fixtures hold, so a test can prove none leaks into a finding. */
const allValues = Object.values(secrets);
const expectNoLeak = (findings: Finding[]): void => {
  const text = JSON.stringify(findings);
  for (const value of allValues) {
    if (value.length > 20 && !value.startsWith('-----')) expect(text).not.toContain(value.slice(4));
  }
};

describe('findSecrets: known token formats', () => {
  const cases: [string, string, string][] = [
    ['GitHub classic token', secrets.githubClassic, 'personal access token (classic)'],
    ['GitHub OAuth token', secrets.githubOAuth, 'OAuth access token'],
    ['GitHub App installation token', secrets.githubAppInstallation, 'installation token'],
    ['GitHub App user token', secrets.githubAppUser, 'user access token'],
    ['GitHub refresh token', secrets.githubRefresh, 'refresh token'],
    ['GitHub fine-grained token', secrets.githubFineGrained, 'fine-grained'],
    ['AWS access key id', secrets.awsAccessKeyId, 'AWS access key id'],
    ['AWS session key id', secrets.awsSessionKeyId, 'AWS access key id'],
    ['Slack bot token', secrets.slackBot, 'Slack token'],
    ['Slack webhook', secrets.slackWebhook, 'Slack webhook'],
    ['Stripe live secret key', secrets.stripeLive, 'Stripe live'],
    ['Stripe restricted key', secrets.stripeRestricted, 'Stripe live'],
    ['Google API key', secrets.googleApiKey, 'Google API key'],
    ['npm token', secrets.npmToken, 'npm access token'],
  ];

  for (const [name, value, label] of cases) {
    it(`finds a ${name}`, () => {
      const findings = scan(`const value = '${value}';`);
      expect(findings).toHaveLength(1);
      expect(findings[0]?.title).toContain(label);
      expect(findings[0]?.line).toBe(1);
    });
  }

  it('masks the secret in every field, keeping the prefix and last four characters', () => {
    const [finding] = scan(`const token = "${secrets.githubClassic}";`);
    const masked = `ghp_…${secrets.githubClassic.slice(-4)}`;
    expect(finding?.evidence).toBe(`const token = "${masked}";`);
    expect(finding?.explanation).toContain(masked);
    expectNoLeak(scan(...allValues.map((value) => `x = "${value}"`)));
  });

  it('masks a second secret on the same line in each finding', () => {
    const findings = scan(`${secrets.awsAccessKeyId}:${secrets.stripeLive}`);
    expect(findings).toHaveLength(2);
    for (const finding of findings) expect(finding.evidence).not.toContain(secrets.stripeLive.slice(8));
  });

  it('reports a token once even when it is also assigned to a "token" variable', () => {
    expect(scan(`GITHUB_TOKEN="${secrets.githubClassic}"`)).toHaveLength(1);
  });
});

describe('findSecrets: installation tokens in the 2026 format and JWTs', () => {
  // `ghs_<app id>_<JWT>`: about 520 characters, variable length, dots and dashes inside.
  const tokens = [fakeInstallationToken(1), fakeInstallationToken(2, 98), fakeInstallationToken(3, 1234567890)];

  it('finds each token whole and masks all of it, not only up to its first dot', () => {
    for (const token of tokens) {
      expect(token.length).toBeGreaterThan(480);
      const findings = scan(`export GH_TOKEN=${token} # installation`);
      expect(findings.map((finding) => finding.title)).toEqual(['Possible secret: GitHub App installation token']);
      expect(findings[0]?.evidence).toBe(`export GH_TOKEN=ghs_…${token.slice(-4)} # installation`);
    }
  });

  it('still finds the 40-character form GitHub Enterprise Server issues', () => {
    const [finding] = scan(`const token = '${secrets.githubAppInstallation}';`);
    expect(finding?.title).toBe('Possible secret: GitHub App installation token');
    expect(finding?.evidence).toBe(`const token = 'ghs_…${secrets.githubAppInstallation.slice(-4)}';`);
  });

  it('finds a JSON Web Token and masks it whole', () => {
    const jwt = fakeJwt(42, { sub: 'deploy-bot' });
    const findings = scan(`Authorization: Bearer ${jwt}`);
    expect(findings.map((finding) => finding.title)).toEqual(['Possible secret: JSON Web Token']);
    expect(findings[0]?.evidence).toBe(`Authorization: Bearer eyJ…${jwt.slice(-4)}`);
  });
});

describe('findSecrets: private keys', () => {
  it('finds a PEM block whose key material follows on the next added line', () => {
    const findings = scan(secrets.privateKeyBegin, secrets.privateKeyBody);
    expect(findings.map((finding) => finding.title)).toEqual(['Possible secret: private key']);
  });

  it('finds a PEM block escaped inside a JSON string', () => {
    const findings = scan(`{"key": "${secrets.privateKeyBegin}\\n${secrets.privateKeyBody}\\n"}`);
    expect(findings).toHaveLength(1);
    expect(findings[0]?.evidence).not.toContain(secrets.privateKeyBody.slice(0, 20));
  });

  it('ignores code that only names the BEGIN line', () => {
    expect(scan(`if (pem.startsWith('${secrets.privateKeyBegin}')) convert(pem);`, 'return pem;')).toEqual([]);
  });

  it('ignores public keys and certificates', () => {
    expect(scan('-----BEGIN PUBLIC KEY-----', secrets.privateKeyBody)).toEqual([]);
    expect(scan('-----BEGIN CERTIFICATE-----', secrets.privateKeyBody)).toEqual([]);
  });
});

describe('findSecrets: generic assignments', () => {
  it('finds a high-entropy password assigned in code', () => {
    const [finding] = scan(`db.connect({ password: "${secrets.password}" })`);
    expect(finding?.title).toBe('Possible secret: hard-coded password, secret or token');
    expect(finding?.evidence).toBe('db.connect({ password: "…' + secrets.password.slice(-4) + '" })');
  });

  it('finds unquoted values in .env and YAML files', () => {
    expect(scan(`API_KEY=${secrets.password}`)).toHaveLength(1);
    expect(scan(`client_secret: ${secrets.password}`)).toHaveLength(1);
  });

  it('finds Go, Ruby and Python assignment forms', () => {
    expect(scan(`token := "${secrets.password}"`)).toHaveLength(1);
    expect(scan(`:secret => "${secrets.password}"`)).toHaveLength(1);
    expect(scan(`connect(password='${secrets.password}')`)).toHaveLength(1);
  });

  it('ignores placeholders, env lookups and secret references', () => {
    expect(
      scan(
        'password = "changeme"',
        'token = "<your-token>"',
        'token: ${{ secrets.GITHUB_TOKEN }}',
        'api_key = "xxxxxxxxxxxxxxxxxxxx"',
        'secret = "aaaaaaaaaaaaaaaaaaaaaaaa"',
        'password = "example-password-123"',
        'token = process.env.GITHUB_TOKEN',
        'password = os.environ["DB_PASSWORD"]',
        'secret = "${CLIENT_SECRET}"',
        'api_key = "abcdef1234567890"',
      ),
    ).toEqual([]);
  });

  it('ignores low-entropy and word-like values', () => {
    expect(scan('password: "development-only"', 'token = "Authorization"', 'secret = "SECRET_NAME_V2"')).toEqual([]);
  });

  it('ignores names that only contain a keyword and comparisons', () => {
    expect(
      scan(
        'const tokenizer = "bert-base-uncased-v2";',
        'export const passwordPolicy = "min12-chars-1-digit";',
        `if (token === "${secrets.password}") return;`,
      ),
    ).toEqual([]);
  });

  it('ignores object properties holding variables', () => {
    expect(scan('  token: someVariableName2,', '  password: hashPassword(input),')).toEqual([]);
  });
});

describe('findSecrets: near misses', () => {
  it('treats the AWS documentation keys and other documented placeholders as placeholders', () => {
    const { added } = parsePatch(readPrChecksFixture('patches/docs-placeholders.patch'));
    expect(findSecrets('docs/credentials.md', added)).toEqual([]);
  });

  it('ignores token-shaped strings with a placeholder or sequential body', () => {
    expect(scan(`gh${'p_'}${'0123456789'.repeat(3)}abcdefGH`, `sk${'_live_'}1234567890abcdefghijklmn`)).toEqual([]);
  });

  it('ignores Stripe test keys and prefixes inside longer words', () => {
    expect(scan(`sk${'_test_'}${secrets.password}`, `xghp_${secrets.password}${secrets.password}`)).toEqual([]);
  });
});
