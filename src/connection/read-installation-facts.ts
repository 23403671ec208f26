import type { EmitterWebhookEvent } from '@octokit/webhooks';
import { compactPermissions } from './verify/checks/compact-permissions.js';
import type { InstallationFacts, RepositoryFacts } from './installation-rows.js';

export type InstallationPayload = EmitterWebhookEvent<'installation.created'>['payload']['installation'];

/** The fields an installation has both in webhook payloads and in `GET /app/installations`. */
export interface InstallationObject {
  id: number;
  account: { login: string; type: string; id: number } | { slug: string; id: number } | null;
  target_type: string;
  target_id: number;
  repository_selection: 'all' | 'selected';
  permissions: object;
  events: readonly string[];
  suspended_at?: string | null;
  suspended_by?: { login: string } | null;
}

/** What an installation object (webhook payload or REST listing) says about the installation (pure). */
export function readInstallationFacts(installation: InstallationObject): InstallationFacts {
  const account = installation.account;
  const facts: InstallationFacts['account'] = !account
    ? {
        login: `${installation.target_type.toLowerCase()}-${installation.target_id}`,
        type: installation.target_type,
        id: installation.target_id,
      }
    : 'login' in account
      ? { login: account.login, type: account.type, id: account.id }
      : { login: account.slug, type: 'Enterprise', id: account.id };
  const suspendedAt = installation.suspended_at ? Date.parse(installation.suspended_at) : null;
  return {
    id: installation.id,
    account: facts,
    selection: installation.repository_selection,
    permissions: compactPermissions(installation.permissions as Record<string, string | undefined>),
    events: [...installation.events].sort(),
    suspendedAt: suspendedAt !== null && Number.isFinite(suspendedAt) ? suspendedAt : null,
    suspendedBy: installation.suspended_by?.login ?? null,
  };
}

/** Repositories as payloads list them (`repositories`, `repositories_added`, `repositories_removed`). */
export function readRepositories(
  repositories: readonly { id?: number; full_name?: string; private?: boolean }[] | undefined,
): RepositoryFacts[] {
  return (repositories ?? [])
    .filter(
      (repository): repository is { id: number; full_name: string; private?: boolean } =>
        typeof repository.id === 'number' && typeof repository.full_name === 'string',
    )
    .map((repository) => ({ id: repository.id, fullName: repository.full_name, private: repository.private ?? false }));
}
