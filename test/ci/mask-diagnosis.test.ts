import { describe, expect, it } from 'vitest';
import type { Diagnosis } from '../../src/ci/diagnose.js';
import { maskDiagnosisSecrets } from '../../src/ci/mask-diagnosis.js';
import { fakeSecrets } from '../../fixtures/pr-checks/helpers.js';
import { fakeLeakedSecrets } from '../../fixtures/ci/leaked-secrets.js';

const keys = fakeSecrets(11);
const tokens = fakeLeakedSecrets(5);

function diagnosisQuoting(excerpt: string[], message = 'failed'): Diagnosis {
  return {
    workflow: 'CI',
    job: { id: 1, name: 'test' },
    failedStep: { name: 'Run ./deploy.sh', number: 3 },
    kind: 'unknown',
    tool: null,
    failures: [{ message }],
    failureCount: 1,
    excerpt,
    logUrl: 'https://github.com/acme/app/actions/runs/1/job/1',
  };
}

describe('maskDiagnosisSecrets', () => {
  it('hides every line of a private key the log printed, from BEGIN to END', () => {
    const body = [keys.privateKeyBody, keys.privateKeyBody.slice(8), keys.privateKeyBody.slice(20)];
    const masked = maskDiagnosisSecrets(
      diagnosisQuoting(['cat key.pem', keys.privateKeyBegin, ...body, '-----END RSA PRIVATE KEY-----', 'exit 1']),
    );
    const text = masked.excerpt.join('\n');
    for (const line of body) expect(text).not.toContain(line.slice(0, 30));
    expect(masked.excerpt).toEqual([
      'cat key.pem',
      expect.stringContaining('…'),
      '…',
      '…',
      '…',
      '-----END RSA PRIVATE KEY-----',
      'exit 1',
    ]);
    expect(masked.secretsMasked).toBe(1);
  });

  it('counts a secret quoted in the excerpt and in a failure once', () => {
    const line = `fatal: could not read from https://x-access-token:${tokens.installation}@github.com/acme/app`;
    const masked = maskDiagnosisSecrets(diagnosisQuoting([line], line));
    expect(JSON.stringify(masked)).not.toContain(tokens.installation.slice(4, -4));
    expect(masked.secretsMasked).toBe(1);
  });

  it('leaves a diagnosis without secrets as it was', () => {
    const diagnosis = diagnosisQuoting(['npm ERR! code E404', 'token: ***']);
    expect(maskDiagnosisSecrets(diagnosis)).toEqual(diagnosis);
  });
});
