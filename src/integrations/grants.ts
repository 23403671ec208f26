/** Roles granted to named GitHub users on an integration (see console/roles.ts for how they apply). */
import type { Role } from '../console/roles.js';
import type { Store } from '../store/database.js';
import { invalidInput } from './errors.js';

export interface GrantedRole {
  login: string;
  role: Role;
  grantedBy: string | null;
  grantedAt: string;
}

const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;

export interface RoleGrant {
  integrationId: string;
  installationId: number | null;
  login: string;
  role: Role;
  actor: string;
  now: number;
}

export async function grantRole(store: Store, grant: RoleGrant): Promise<{ login: string }> {
  const login = grant.login.trim().replace(/^@/, '');
  if (!LOGIN.test(login)) {
    throw invalidInput(`"${grant.login}" is not a GitHub login.`, 'Give the user’s GitHub login, such as octocat.');
  }
  const values = { role: grant.role, granted_by: grant.actor, granted_at: grant.now };
  await store.db
    .insertInto('role_grants')
    .values({
      integration_id: grant.integrationId,
      installation_id: grant.installationId,
      login: login.toLowerCase(),
      ...values,
    })
    .onConflict((conflict) => conflict.columns(['integration_id', 'login']).doUpdateSet(values))
    .execute();
  return { login };
}

export async function listGrants(store: Store, integrationId: string): Promise<GrantedRole[]> {
  const rows = await store.db
    .selectFrom('role_grants')
    .selectAll()
    .where('integration_id', '=', integrationId)
    .orderBy('login')
    .execute();
  return rows.map((row) => ({
    login: row.login,
    role: row.role as Role,
    grantedBy: row.granted_by,
    grantedAt: new Date(Number(row.granted_at)).toISOString(),
  }));
}
