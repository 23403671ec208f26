import { describe, expect, it } from 'vitest';
import { IntegrationPage } from '../../../src/console/pages/integration-page.js';
import { AT, details, integrationView, render } from './views.js';

function postForms(html: string): string[] {
  return [...html.matchAll(/<form method="post"[^>]*>(.*?)<\/form>/gs)].map((match) => match[0]);
}

describe('an integration page', () => {
  it('shows every check of the latest verification with its finding and remedy', async () => {
    const html = await render(
      <IntegrationPage
        {...integrationView(
          {},
          details({
            status: { state: 'unauthorized', processing: 0, rateLimited: false },
            latest: {
              at: AT,
              checks: [
                { name: 'token', status: 'fail', finding: 'GitHub refused the token.', remedy: 'Reinstall the app.' },
                { name: 'rate-limit', status: 'skip', finding: 'No token.', remedy: '' },
              ],
            },
          }),
        )}
      />,
    );
    expect(html).toContain('<span class="Label Label--danger">Unauthorized</span>');
    expect(html).toContain('<span class="Label Label--danger">Failed</span><strong class="ml-2">token</strong>');
    expect(html).toContain(
      '<p class="m-0 mt-1">GitHub refused the token.</p><p class="m-0 mt-1">Fix: Reinstall the app.</p>',
    );
    expect(html).toContain('<span class="Label Label--secondary">Skipped</span>');
  });

  it('reloads itself every few seconds while the first verification runs, without JavaScript', async () => {
    const html = await render(
      <IntegrationPage
        {...integrationView(
          { refreshSeconds: 3 },
          details({ status: { state: 'pending', processing: 0, rateLimited: false }, latest: null }),
        )}
      />,
    );
    expect(html).toContain('<meta http-equiv="refresh" content="3"/>');
    expect(html).toContain('Keel is verifying the connection. This page updates by itself.');
  });

  it('names a missing permission, the capability it switches off, and where to grant it', async () => {
    const base = details();
    const integration = details({
      permissions: {
        ...base.permissions,
        rows: [
          {
            permission: 'workflows',
            required: 'write',
            granted: null,
            status: 'missing',
            capabilities: ['Workflow repair'],
          },
        ],
      },
    });
    const html = await render(<IntegrationPage {...integrationView({}, integration)} />);
    expect(html).toContain('1 permission missing: workflows (write) — Workflow repair off');
    expect(html).toContain(
      '<td><span class="Label Label--danger">Missing</span></td><td>Off without it: Workflow repair</td>',
    );
    expect(html).toContain(
      '<a href="https://github.com/organizations/acme/settings/installations/42">Change permissions',
    );
  });

  it('marks excluded repositories and filters the list', async () => {
    const html = await render(<IntegrationPage {...integrationView({ repositoryFilter: 'legacy' })} />);
    expect(html).toContain(
      '<li class="py-1">acme/legacy-web<span class="Label Label--attention ml-1">Excluded by legacy-*</span></li>',
    );
    expect(html).not.toContain('<li class="py-1">acme/site');
  });

  it('gives every form that posts the CSRF token', async () => {
    const html = await render(
      <IntegrationPage {...integrationView({ preview: { rules: ['x-*'], matches: [], error: null } })} />,
    );
    const forms = postForms(html);
    expect(forms.length).toBeGreaterThan(8);
    for (const form of forms) expect(form).toContain('<input type="hidden" name="_csrf" value="csrf-token-123"/>');
  });

  it('offers a view-level user no action but sign-out', async () => {
    const html = await render(<IntegrationPage {...integrationView({}, details({ role: 'view' }))} />);
    expect(postForms(html).map((form) => /action="([^"]+)"/.exec(form)?.[1])).toEqual([
      '/logout',
      '/console/integrations/42/services',
    ]);
    expect(html).toContain('<fieldset class="keel-fieldset" disabled="">');
    expect(html).not.toContain('Save services');
  });

  it('keeps roles and delete for the delete level', async () => {
    const manage = await render(<IntegrationPage {...integrationView({}, details({ role: 'manage' }))} />);
    expect(manage).toContain('/console/integrations/42/test');
    expect(manage).not.toContain('/console/integrations/42/roles');
    expect(manage).not.toContain('/console/integrations/42/delete');
  });

  it('asks for the account name to delete and explains how to uninstall on GitHub', async () => {
    const html = await render(<IntegrationPage {...integrationView()} />);
    expect(html).toContain('<label for="delete-confirm" class="d-block">Type <strong>acme</strong> to confirm</label>');
    expect(html).toContain('action="/console/integrations/42/uninstall"');
    expect(html).toContain('(Uninstall), or let Keel do it as a separate step.');
  });

  it('previews the repositories a rule set would exclude, with a button to save exactly those rules', async () => {
    const html = await render(
      <IntegrationPage
        {...integrationView({ preview: { rules: ['legacy-*', 'old'], matches: ['acme/legacy-web'], error: null } })}
      />,
    );
    expect(html).toContain('1 repository would be excluded:');
    expect(html).toContain('<input type="hidden" name="rules" value="legacy-*\nold"/>');
  });
});
