/**
 * /api accepts the admin token (KEEL_ADMIN_TOKEN, for the CLI and scripts) or a console session
 * (cookie, and the CSRF token in `x-csrf-token` on writes). A session sees only its integrations:
 * each installation URL needs the user's role on it (404 when the user may not see it), lists are
 * filtered, and the API's operator endpoints stay with the admin token.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { adminAuth } from '../../http/admin-auth.js';
import type { DeliveriesApiEnv } from '../../http/deliveries-api.js';
import type { KeelServices } from '../../keel.js';
import { roleAllows, rolesFor, type Role } from '../roles.js';
import { hasCsrfToken, readConsoleUser, type ConsoleUser } from './session.js';

export type ApiEnv = { Variables: { user: ConsoleUser | undefined } & DeliveriesApiEnv['Variables'] };

export type ApiAccess =
  | { kind: 'integration'; integrationId: string; role: Role }
  | { kind: 'delivery'; deliveryId: string; role: Role }
  /** The installations and deliveries lists: the route reads only the installations the user may see. */
  | { kind: 'visible-list' }
  | { kind: 'admin-only' };

/** What a session needs for an /api request (pure). */
export function judgeApiAccess(method: string, path: string): ApiAccess {
  const installation = /^\/api\/installations\/(\d{1,15})(\/[\w-]+)?(\/[\w-]+)?\/?$/.exec(path);
  if (installation?.[1]) {
    const integrationId = installation[1];
    const action = installation[2] ?? '';
    if (method === 'GET' || method === 'HEAD') return { kind: 'integration', integrationId, role: 'view' };
    const deleting = (method === 'DELETE' && action === '') || action === '/uninstall' || action === '/roles';
    const previewing = action === '/exclusions' && installation[3] === '/preview';
    return { kind: 'integration', integrationId, role: deleting ? 'delete' : previewing ? 'view' : 'manage' };
  }
  if (/^\/api\/(installations|deliveries)\/?$/.test(path) && method === 'GET') return { kind: 'visible-list' };
  const delivery = /^\/api\/deliveries\/([^/]+)(\/retry)?\/?$/.exec(path);
  if (delivery?.[1]) {
    return { kind: 'delivery', deliveryId: decodeURIComponent(delivery[1]), role: delivery[2] ? 'manage' : 'view' };
  }
  return { kind: 'admin-only' };
}

function notFound(c: Context) {
  return c.json({ error: 'Not found.', remedy: 'List what you may see with GET /api/installations.' }, 404);
}

export function apiAuth(services: KeelServices): MiddlewareHandler<ApiEnv> {
  const admin = adminAuth({ adminToken: services.config.adminToken });
  return async (c, next) => {
    const user = c.req.header('authorization') ? undefined : await readConsoleUser(services, c);
    c.set('visibleInstallations', undefined);
    if (!user) {
      c.set('user', undefined);
      return admin(c, next);
    }
    const method = c.req.method;
    if (!['GET', 'HEAD', 'OPTIONS'].includes(method) && !(await hasCsrfToken(c, user))) {
      return c.json(
        { error: 'CSRF token missing or wrong.', remedy: 'Send the console’s token in x-csrf-token.' },
        403,
      );
    }
    c.set('user', user);
    const access = judgeApiAccess(method, c.req.path);
    if (access.kind === 'admin-only') {
      return c.json(
        { error: 'This endpoint needs the admin token.', remedy: 'Send Authorization: Bearer $KEEL_ADMIN_TOKEN.' },
        403,
      );
    }
    const roles = await rolesFor(services, user);
    if (access.kind === 'visible-list') c.set('visibleInstallations', [...roles.keys()].map(Number));
    /** The integration this request touches, and the role it needs there. */
    let target: { integrationId: string; role: Role } | undefined;
    if (access.kind === 'integration') target = access;
    if (access.kind === 'delivery') {
      const row = await services.store.db
        .selectFrom('deliveries')
        .select('installation_id')
        .where('id', '=', access.deliveryId)
        .executeTakeFirst();
      if (!row || row.installation_id === null) return notFound(c);
      target = { integrationId: String(row.installation_id), role: access.role };
    }
    if (target) {
      const role = roles.get(target.integrationId);
      if (!role) return notFound(c);
      if (!roleAllows(role, target.role)) {
        return c.json(
          {
            error: `This needs the ${target.role} role on ${target.integrationId}; you have ${role}.`,
            remedy: 'Ask an owner of the organization to grant it.',
          },
          403,
        );
      }
    }
    await next();
  };
}
