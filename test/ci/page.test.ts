import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Diagnosis } from '../../src/ci/diagnose.js';
import { ciPlugin } from '../../src/ci/plugin.js';
import { saveRunDiagnoses, type RunFacts } from '../../src/ci/store.js';
import { signLink, signPath } from '../../src/http/signed-links.js';
import { INSTALLATION_ID, OWNER, REPO, REPOSITORY_ID, SHA } from '../../fixtures/ci/payloads.js';
import { startKeel, type TestKeel } from '../helpers/keel.js';

const RUN: RunFacts = {
  installationId: INSTALLATION_ID,
  repositoryId: REPOSITORY_ID,
  repository: `${OWNER}/${REPO}`,
  runId: 289782451,
  runAttempt: 2,
  workflowId: 2823525,
  workflow: 'CI',
  event: 'pull_request',
  headSha: SHA,
  headBranch: 'feature-7',
  conclusion: 'failure',
  htmlUrl: `https://github.com/${OWNER}/${REPO}/actions/runs/289782451`,
};

function diagnosisOf(overrides: Partial<Diagnosis> = {}): Diagnosis {
  return {
    workflow: 'CI',
    job: { id: 3001, name: 'test' },
    failedStep: { name: 'Run npx vitest run', number: 5 },
    kind: 'test-failure',
    tool: 'vitest',
    failures: [
      {
        test: 'totalOf > adds price times quantity',
        file: 'test/cart.test.ts',
        line: 10,
        message: 'AssertionError: expected 22 to be 20',
        knownFlaky: true,
      },
    ],
    failureCount: 1,
    excerpt: ['AssertionError: expected 22 to be 20', '- Expected  20', '+ Received  22'],
    logUrl: `https://github.com/${OWNER}/${REPO}/actions/runs/289782451/job/3001`,
    exitCode: 1,
    ...overrides,
  };
}

let keel: TestKeel;
beforeEach(async () => {
  keel = await startKeel({ plugins: [ciPlugin()] });
});
afterEach(() => keel.stop());

async function saveRun(diagnoses: Diagnosis[], notDiagnosed = 0): Promise<string> {
  return saveRunDiagnoses(keel.keel.store, RUN, { diagnoses, notDiagnosed, configError: null }, Date.now());
}

function pageUrl(id: string): string {
  return `${keel.url}${signPath(keel.config.linkSigningKey, 'ci', id)}`;
}

describe('the diagnosis page behind a signed link', () => {
  it('is private, not indexed and self-contained', async () => {
    const response = await fetch(pageUrl(await saveRun([diagnosisOf()])));
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('private, no-store');
    expect(response.headers.get('x-robots-tag')).toBe('noindex');
    const page = await response.text();
    expect(page).toContain('<meta name="viewport" content="width=device-width, initial-scale=1" />');
    expect(page).not.toMatch(/<(script|link|img)\b/);
  });

  it('shows the workflow, the run, and per failed job its kind, step, failures, flaky marks, excerpt and log', async () => {
    const page = await (await fetch(pageUrl(await saveRun([diagnosisOf()])))).text();
    expect(page).toContain('<h1>CI failed</h1>');
    expect(page).toContain(
      `<a href="https://github.com/${OWNER}/${REPO}/actions/runs/289782451">#289782451</a>, attempt 2`,
    );
    expect(page).toContain('test failure · vitest');
    expect(page).toContain('failed step <strong>Run npx vitest run</strong>');
    expect(page).toContain(
      `<a href="https://github.com/${OWNER}/${REPO}/blob/${SHA}/test/cart.test.ts#L10"><code>test/cart.test.ts:10</code></a>`,
    );
    expect(page).toContain('<span class="flaky">known flaky</span>');
    expect(page).toContain(
      '<pre><code>AssertionError: expected 22 to be 20\n- Expected  20\n+ Received  22</code></pre>',
    );
    expect(page).toContain(`href="https://github.com/${OWNER}/${REPO}/actions/runs/289782451/job/3001"`);
  });

  it('counts the failed jobs it did not diagnose', async () => {
    const page = await (await fetch(pageUrl(await saveRun([diagnosisOf()], 4)))).text();
    expect(page).toContain('Failed jobs (5)');
    expect(page).toMatch(/Not diagnosed: 4 more jobs\./);
  });

  it('escapes everything that came from a log', async () => {
    const hostile = diagnosisOf({
      job: { id: 3002, name: '<img src=x onerror=alert(1)>' },
      failures: [{ test: '"><script>alert(1)</script>', file: '../../etc/passwd', line: 1, message: 'a & b' }],
      excerpt: ['</code></pre><script>alert("x")</script>'],
      logUrl: 'javascript:alert(1)',
    });
    const page = await (await fetch(pageUrl(await saveRun([hostile])))).text();
    expect(page).not.toContain('<script>');
    expect(page).not.toContain('<img');
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page).toContain('&lt;/code&gt;&lt;/pre&gt;&lt;script&gt;');
    expect(page).toContain('a &amp; b');
    expect(page).not.toContain('href="javascript:');
    expect(page).not.toContain('/etc/passwd#L1"');
  });
});

describe('any other URL under /ci/', () => {
  it.each([
    ['no signature', (id: string) => `/ci/${id}`],
    [
      'a signature of another id',
      (id: string) => `/ci/${id}?sig=${signLink(keel.config.linkSigningKey, 'ci', `${id}x`)}`,
    ],
    [
      'the pr-checks signature of the same id',
      (id: string) => `/ci/${id}?sig=${signLink(keel.config.linkSigningKey, 'pr-checks', id)}`,
    ],
    ['a malformed signature', (id: string) => `/ci/${id}?sig=abc`],
  ])('answers 404 for %s', async (_what, path) => {
    const id = await saveRun([diagnosisOf()]);
    const response = await fetch(`${keel.url}${path(id)}`);
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain('CI failed');
  });

  it('answers 404 for a correctly signed id that does not exist', async () => {
    const response = await fetch(pageUrl('nosuchrun'));
    expect(response.status).toBe(404);
  });
});
