import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signLink } from '../../src/http/signed-links.js';
import { prChecksPlugin } from '../../src/pr-checks/plugin.js';
import { pullRequestPayload } from '../../fixtures/pr-checks/payloads.js';
import { useGitHubMock } from '../helpers/github-mock.js';
import { startKeel, type TestKeel } from '../helpers/keel.js';
import {
  addedFile,
  localPageUrl,
  mockConfig,
  mockFiles,
  mockStatuses,
  mockTokenMint,
  recordedGitHub,
} from './github-scenario.js';

useGitHubMock();

const SHA = 'ec26c3e57ca3a959ca5aad62de7213c562f8c821';
const TITLE = '<script>alert(1)</script> fix';

let keel: TestKeel;
let pageUrl: string;

beforeAll(async () => {
  keel = await startKeel({ plugins: [prChecksPlugin()], env: { KEEL_PUBLIC_URL: 'https://keel.example.com' } });
  const { scope } = recordedGitHub();
  mockTokenMint(scope);
  mockConfig(scope, 'prChecks:\n  maxChangedLines: 3\n');
  const statuses = mockStatuses(scope, SHA);
  mockFiles(scope, [addedFile('src/<b>.ts', ['<<<<<<< HEAD', 'a', '=======', 'b', '>>>>>>> main'])]);
  await keel.send('pull_request', pullRequestPayload('opened', { title: TITLE }));
  await keel.keel.worker.idle();
  pageUrl = localPageUrl(statuses[1]?.target_url, keel.url);
});
afterAll(() => keel.stop());

const withSignature = (signature: string | null) => {
  const url = new URL(pageUrl);
  if (signature === null) url.searchParams.delete('sig');
  else url.searchParams.set('sig', signature);
  return url.toString();
};

describe('the details page behind the signed link', () => {
  it('answers 200 with HTML that is not cached, indexed or referred', async () => {
    const response = await fetch(pageUrl);
    expect({
      status: response.status,
      type: response.headers.get('content-type'),
      cache: response.headers.get('cache-control'),
      robots: response.headers.get('x-robots-tag'),
      referrer: response.headers.get('referrer-policy'),
    }).toEqual({
      status: 200,
      type: 'text/html; charset=UTF-8',
      cache: 'private, no-store',
      robots: 'noindex',
      referrer: 'no-referrer',
    });
  });

  it('names the repository, pull request, commit, state and summary', async () => {
    const page = await (await fetch(pageUrl)).text();
    for (const text of [
      '<a href="https://github.com/Codertocat/Hello-World">Codertocat/Hello-World</a>',
      '<a href="https://github.com/Codertocat/Hello-World/pull/2">#2</a>',
      `<code>${SHA}</code>`,
      '<dd class="state failure">failure</dd>',
      '<p class="summary">1 finding: 1 merge conflict; 1 warning (1 large diff)</p>',
    ]) {
      expect(page).toContain(text);
    }
  });

  it('shows each finding with its file and line linked at the commit, rule, fix and evidence', async () => {
    const page = await (await fetch(pageUrl)).text();
    expect(page).toContain(`<a href="https://github.com/Codertocat/Hello-World/blob/${SHA}/src/%3Cb%3E.ts#L1"`);
    expect(page).toMatch(/rule <code>conflict-markers<\/code> · failure/);
    expect(page).toContain('<p><strong>Fix:</strong> Resolve the conflict: keep the right side');
    expect(page).toContain(
      '<pre><code>&lt;&lt;&lt;&lt;&lt;&lt;&lt; … ======= … &gt;&gt;&gt;&gt;&gt;&gt;&gt; (lines 1–5)</code></pre>',
    );
  });

  it('lists warnings in their own section', async () => {
    const page = await (await fetch(pageUrl)).text();
    expect(page).toMatch(/<h2>Warnings \(1\)<\/h2>\s*<article class="warning">\s*<h3>Large pull request<\/h3>/);
  });

  it('escapes every value: a title with a script tag is shown as text', async () => {
    const page = await (await fetch(pageUrl)).text();
    expect(page).toContain('<h1>&lt;script&gt;alert(1)&lt;/script&gt; fix</h1>');
    expect(page).not.toContain('<script>');
  });

  it('is readable on a phone and loads nothing from elsewhere', async () => {
    const page = await (await fetch(pageUrl)).text();
    expect(page).toContain('<meta name="viewport" content="width=device-width, initial-scale=1" />');
    expect(page).not.toMatch(/<link|<img|<script|src=/);
  });
});

describe('any other URL', () => {
  async function notFound(url: string) {
    const response = await fetch(url);
    return { status: response.status, body: await response.text() };
  }
  const unknownRoute = () => notFound(`${keel.url}/nowhere`);

  it('answers a wrong signature with the same 404 as an unknown route', async () => {
    expect(await notFound(withSignature(signLink(Buffer.alloc(32), 'pr-checks', 'x')))).toEqual(await unknownRoute());
  });

  it('answers a missing signature with a 404', async () => {
    expect(await notFound(withSignature(null))).toEqual(await unknownRoute());
  });

  it('answers an unknown id, validly signed, with a 404', async () => {
    const url = `${keel.url}/pr-checks/unknown?sig=${signLink(keel.config.linkSigningKey, 'pr-checks', 'unknown')}`;
    expect(await notFound(url)).toEqual(await unknownRoute());
  });
});
