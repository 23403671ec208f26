import { describe, expect, it } from 'vitest';
import { toInstallationJson } from '../../../src/connection/to-installation-json.js';
import type { CheckResult, VerificationReport } from '../../../src/connection/verify/types.js';
import {
  toIntegrationSummary,
  toPermissionsView,
  type ListedIntegration,
} from '../../../src/console/pages/to-views.js';
import type { InstallationRecord } from '../../../src/connection/installation-reads.js';
import type { IntegrationJson } from '../../../src/integrations/actions.js';
import { AT } from './views.js';

function record(permissions: Record<string, string>, checks: CheckResult[] = []): InstallationRecord {
  const report: VerificationReport = { at: new Date(AT).toISOString(), installationId: 42, state: 'connected', checks };
  return {
    row: {
      id: 42,
      account_login: 'acme',
      account_type: 'Organization',
      account_id: 100,
      installed_by: 'octocat',
      repository_selection: 'selected',
      permissions: JSON.stringify(permissions),
      events: JSON.stringify(['pull_request']),
      suspended_at: null,
      suspended_by: null,
      state: 'connected',
      created_at: AT,
      updated_at: AT,
      repository_count: 2,
      verified_at: AT,
      rate_limited: 0,
    },
    report,
    firstDeliveryAt: null,
    lastDeliveryAt: null,
  };
}

function listed(overrides: Partial<ListedIntegration> = {}): ListedIntegration {
  return {
    id: '42',
    account: 'acme',
    name: 'acme',
    provider: 'github',
    host: 'github.com',
    addedBy: 'octocat',
    services: null,
    state: 'connected',
    repositoryCount: 2,
    verifiedAt: AT,
    rateLimited: false,
    lastDeliveryAt: null,
    ...overrides,
  };
}

function integration(permissions: Record<string, string>): IntegrationJson {
  return { ...toInstallationJson(record(permissions)), integrationId: '42', provider: 'github', host: 'github.com' };
}

describe('mapping an integration for the pages', () => {
  it('says rate limited when the last verification found the quota under 10%', () => {
    expect(toIntegrationSummary(listed({ rateLimited: true }), 'view', 2).status).toEqual({
      state: 'connected',
      processing: 2,
      rateLimited: true,
    });
    expect(toIntegrationSummary(listed(), 'view', 0).status.rateLimited).toBe(false);
  });

  it('counts the later of the last verification and the last delivery as last updated', () => {
    const summary = toIntegrationSummary(listed({ verifiedAt: AT, lastDeliveryAt: AT + 60_000 }), 'view', 0);
    expect([summary.lastUpdatedAt, summary.lastVerifiedAt]).toEqual([AT + 60_000, AT]);
    expect(toIntegrationSummary(listed({ verifiedAt: null }), 'view', 0).lastUpdatedAt).toBe(null);
  });

  it('lists a missing permission with the capabilities it switches off, and opt-in ones apart', () => {
    const view = toPermissionsView(
      integration({ metadata: 'read', actions: 'read', contents: 'write', pull_requests: 'write', statuses: 'write' }),
      'https://github.com',
    );
    expect(view.rows.find((row) => row.permission === 'workflows')).toEqual({
      permission: 'workflows',
      required: 'write',
      granted: null,
      status: 'missing',
      capabilities: ['Workflow repair'],
    });
    expect(view.rows.find((row) => row.status === 'opt-in')).toEqual({
      permission: 'actions',
      required: 'write',
      granted: 'read',
      status: 'opt-in',
      capabilities: ['Re-run failed jobs'],
    });
    expect(view.settingsUrl).toBe('https://github.com/organizations/acme/settings/installations/42');
  });
});
