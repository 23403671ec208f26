/** View models for page tests: one connected integration of acme, seen by its owner. */
import type {
  IntegrationDetails,
  IntegrationSummary,
  IntegrationView,
  PageFrame,
} from '../../../src/console/pages/view.js';

export const AT = Date.parse('2026-11-30T12:00:00Z');

export function frame(overrides: Partial<PageFrame> = {}): PageFrame {
  return {
    user: { login: 'octocat', name: 'The Octocat', avatarUrl: null, csrfToken: 'csrf-token-123' },
    assets: { stylesheets: ['/console/assets/primer-abc.css'], script: '/console/assets/console-abc.js' },
    flash: null,
    ...overrides,
  };
}

export function summary(overrides: Partial<IntegrationSummary> = {}): IntegrationSummary {
  return {
    id: '42',
    name: 'acme',
    provider: 'github',
    host: 'github.com',
    account: 'acme',
    servicesOn: ['pr-checks', 'ci', 'repair', 'commands'],
    repositoryCount: 3,
    addedBy: 'octocat',
    status: { state: 'connected', processing: 0, rateLimited: false },
    lastUpdatedAt: AT,
    lastVerifiedAt: AT,
    role: 'delete',
    ...overrides,
  };
}

export function details(overrides: Partial<IntegrationDetails> = {}): IntegrationDetails {
  return {
    id: '42',
    name: 'acme',
    provider: 'github',
    host: 'github.com',
    account: { login: 'acme', type: 'Organization' },
    status: { state: 'connected', processing: 0, rateLimited: false },
    addedBy: 'octocat',
    lastUpdatedAt: AT,
    role: 'delete',
    latest: {
      at: AT,
      checks: [
        { name: 'installation', status: 'pass', finding: 'Installed on acme.', remedy: '' },
        { name: 'permissions', status: 'pass', finding: 'Every permission granted.', remedy: '' },
      ],
    },
    history: [{ at: AT, state: 'connected', failed: 0, warned: 0 }],
    latestWriteCheck: null,
    permissions: {
      rows: [
        { permission: 'metadata', required: 'read', granted: 'read', status: 'granted', capabilities: ['Connection'] },
        {
          permission: 'statuses',
          required: 'write',
          granted: 'write',
          status: 'granted',
          capabilities: ['Pull request checks', 'CI diagnosis'],
        },
      ],
      events: { granted: ['pull_request', 'push'], missing: [] },
      pendingUpdate: null,
      settingsUrl: 'https://github.com/organizations/acme/settings/installations/42',
    },
    repositories: {
      selection: 'selected',
      count: 3,
      list: [
        { fullName: 'acme/api', private: true, excludedBy: null },
        { fullName: 'acme/legacy-web', private: false, excludedBy: 'legacy-*' },
        { fullName: 'acme/site', private: false, excludedBy: null },
      ],
    },
    exclusions: ['legacy-*'],
    services: [
      {
        id: 'pr-checks',
        title: 'Pull request checks',
        description: 'commit status keel/pr-checks',
        on: true,
        optIn: false,
      },
      { id: 'ci', title: 'CI diagnosis', description: 'commit status keel/ci', on: false, optIn: false },
      { id: 'rerun', title: 'Re-run failed jobs', description: '/keel rerun', on: false, optIn: true },
    ],
    deliveries: [],
    audit: [],
    ...overrides,
  };
}

export function integrationView(overrides: Partial<IntegrationView> = {}, integration = details()): IntegrationView {
  return { ...frame(), integration, repositoryFilter: '', preview: null, refreshSeconds: null, ...overrides };
}

/** Renders a page component to its HTML text. */
export async function render(element: unknown): Promise<string> {
  return String(await (element as Promise<string> | string));
}
