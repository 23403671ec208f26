import { describe, expect, it } from 'vitest';
import { IntegrationsPage } from '../../../src/console/pages/integrations-page.js';
import { readIntegrationsQuery } from '../../../src/console/pages/sort-integrations.js';
import type { IntegrationSummary } from '../../../src/console/pages/view.js';
import { frame, render, summary } from './views.js';

function page(integrations: IntegrationSummary[], query: Record<string, string> = {}) {
  return render(
    <IntegrationsPage
      {...frame()}
      integrations={integrations}
      query={readIntegrationsQuery(query)}
      installUrl="https://github.com/apps/keel/installations/new"
      providerName="GitHub"
    />,
  );
}

function rowNames(html: string): string[] {
  return [...html.matchAll(/<th scope="row"><a href="\/console\/integrations\/[^"]+">([^<]+)<\/a>/g)].map(
    (m) => m[1] ?? '',
  );
}

describe('the integrations page', () => {
  it("shows Flow's columns for an integration, its connection state in a green label", async () => {
    const html = await page([summary()]);
    for (const column of [
      'Name',
      'Provider',
      'Services on',
      'Repositories',
      'Added by',
      'Data status',
      'Last updated',
      'Last verified',
    ]) {
      expect(html).toContain(`>${column}`);
    }
    expect(html).toContain('<a href="/console/integrations/42">acme</a>');
    expect(html).toContain('<td>GitHub</td>');
    expect(html).toContain('<td>pr-checks, ci, repair, commands</td>');
    expect(html).toContain('<a href="/console/integrations/42#repositories">3</a>');
    expect(html).toContain('<td>octocat</td>');
    expect(html).toContain('<span class="Label Label--success">Connected</span>');
    expect(html).toContain('<time datetime="2026-11-30T12:00:00.000Z">2026-11-30 12:00 UTC</time>');
  });

  it('says processing while deliveries wait and rate limited when the quota runs low', async () => {
    const html = await page([summary({ status: { state: 'degraded', processing: 4, rateLimited: true } })]);
    expect(html).toContain('<span class="Label Label--attention">Degraded</span>');
    expect(html).toContain('Processing</span>');
    expect(html).toContain('<span class="Label Label--attention">Rate limited</span>');
  });

  it('names GitHub Enterprise Server and its host as the provider', async () => {
    const html = await page([summary({ provider: 'github-enterprise', host: 'ghe.example.com' })]);
    expect(html).toContain('<td>GitHub Enterprise Server (ghe.example.com)</td>');
  });

  it('sends Add integration to the app’s installation page on GitHub', async () => {
    expect(await page([])).toContain('href="https://github.com/apps/keel/installations/new">Connect GitHub</a>');
  });

  it('sorts by any column, and the active header links to the other direction', async () => {
    const integrations = [
      summary({ id: '1', name: 'alpha', repositoryCount: 5 }),
      summary({ id: '2', name: 'beta', repositoryCount: 50 }),
      summary({ id: '3', name: 'gamma', repositoryCount: 1 }),
    ];
    expect(rowNames(await page(integrations))).toEqual(['alpha', 'beta', 'gamma']);
    const byRepositories = await page(integrations, { sort: 'repositories', dir: 'desc' });
    expect(rowNames(byRepositories)).toEqual(['beta', 'alpha', 'gamma']);
    expect(byRepositories).toContain('<th scope="col" aria-sort="descending"><a href="/console?sort=repositories">');
  });

  it('filters by text, data status and provider', async () => {
    const integrations = [
      summary({ id: '1', name: 'alpha', status: { state: 'connected', processing: 0, rateLimited: false } }),
      summary({ id: '2', name: 'beta', status: { state: 'unauthorized', processing: 0, rateLimited: false } }),
      summary({ id: '3', name: 'gamma', provider: 'github-enterprise', host: 'ghe.example.com' }),
    ];
    expect(rowNames(await page(integrations, { state: 'unauthorized' }))).toEqual(['beta']);
    expect(rowNames(await page(integrations, { provider: 'github-enterprise' }))).toEqual(['gamma']);
    expect(rowNames(await page(integrations, { q: 'ALP' }))).toEqual(['alpha']);
    expect(await page(integrations, { q: 'nothing' })).toContain('No integration matches the filter.');
  });

  it('offers Test all and Update all only to a user with the delete level somewhere', async () => {
    const owner = await page([summary({ role: 'delete' })]);
    expect(owner).toContain('action="/console/bulk/test"');
    expect(owner).toContain('action="/console/bulk/update"');
    const member = await page([summary({ role: 'manage' })]);
    expect(member).not.toContain('/console/bulk/');
  });

  it('shows 100 rows a page, with links to the others', async () => {
    const integrations = Array.from({ length: 230 }, (_, index) =>
      summary({ id: String(index + 1), name: `org-${String(index + 1).padStart(3, '0')}` }),
    );
    const third = await page(integrations, { page: '3' });
    expect(rowNames(third)).toHaveLength(30);
    expect(rowNames(third)[0]).toBe('org-201');
    expect(third).toContain(
      '<a class="previous_page mr-3" rel="prev" href="/console?sort=name&amp;page=2">Previous</a>',
    );
    expect(third).toContain('Page 3 of 3');
  });

  it('escapes names an admin typed', async () => {
    const html = await page([summary({ name: '<script>alert(1)</script>' })]);
    expect(html).not.toContain('<script>alert(1)');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});
