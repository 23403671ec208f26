/**
 * The integration actions as JSON, under /api/installations beside the connection's own routes
 * (list, detail, verify): refresh, update, test, a pull request verification followed step by step
 * (write-checks), services, exclusions (and a preview), rename,
 * roles, delete, uninstall, and each integration's deliveries and audit log. apiAuth has already
 * checked the caller (admin token, or a session with its role).
 */
import { Hono, type Context } from 'hono';
import type { ApiEnv } from '../console/auth/api-auth.js';
import { isRole } from '../console/roles.js';
import { KeelError } from '../errors.js';
import { GitHubError } from '../github/errors.js';
import type { DeliveryStatus } from '../store/schema.js';
import type { IntegrationActions } from './actions.js';
import { IntegrationActionError, invalidInput } from './errors.js';
import type { KeelServices } from '../keel.js';

const STATUSES: readonly DeliveryStatus[] = ['queued', 'processing', 'processed', 'failed', 'dead', 'ignored'];

function actorOf(c: Context<ApiEnv>): string {
  return c.get('user')?.login ?? 'api';
}

async function readJson(c: Context<ApiEnv>): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw invalidInput('The body is not JSON.', 'Send a JSON body with content-type application/json.');
  }
}

function fail(c: Context<ApiEnv>, error: unknown) {
  if (error instanceof IntegrationActionError)
    return c.json({ error: error.message, remedy: error.remedy }, error.status);
  if (error instanceof GitHubError)
    return c.json({ error: error.message, remedy: error.remedy, kind: error.kind }, 502);
  if (error instanceof KeelError) return c.json({ error: error.message, remedy: error.remedy }, 400);
  throw error;
}

function limitOf(c: Context<ApiEnv>): number {
  const limit = Number(c.req.query('limit') ?? 50);
  return Number.isInteger(limit) && limit > 0 ? limit : 50;
}

export function integrationsApi(services: KeelServices, actions: IntegrationActions) {
  const api = new Hono<ApiEnv>();
  const handle =
    (run: (c: Context<ApiEnv>) => Promise<unknown>, status: 200 | 202 = 200) =>
    async (c: Context<ApiEnv>) => {
      try {
        return c.json((await run(c)) as object, status);
      } catch (error) {
        return fail(c, error);
      }
    };
  const id = (c: Context<ApiEnv>) => c.req.param('id') ?? '';

  api.get(
    '/',
    handle(async (c) => {
      // A console session: apiAuth set the installations the user may see, and only those are read.
      const visible = c.get('visibleInstallations');
      return actions.list(c.get('user') ? (visible ?? []) : undefined);
    }),
  );
  api.get(
    '/:id',
    handle((c) => actions.get(id(c))),
  );
  api.post(
    '/:id/test',
    handle((c) => actions.test(id(c), actorOf(c))),
  );
  api.post(
    '/:id/refresh',
    handle((c) => actions.refresh(id(c), actorOf(c))),
  );
  api.post(
    '/:id/update',
    handle((c) => actions.update(id(c), actorOf(c))),
  );
  api.put(
    '/:id/services',
    handle(async (c) => actions.setServices(id(c), await readJson(c), actorOf(c))),
  );
  api.put(
    '/:id/exclusions',
    handle(async (c) => actions.setExclusions(id(c), ((await readJson(c)) as { rules?: unknown }).rules, actorOf(c))),
  );
  api.post(
    '/:id/exclusions/preview',
    handle(async (c) => actions.previewExclusions(id(c), ((await readJson(c)) as { rules?: unknown }).rules)),
  );
  api.post(
    '/:id/write-checks',
    handle(async (c) => {
      const { repository } = (await readJson(c)) as { repository?: unknown };
      if (typeof repository !== 'string') {
        throw invalidInput('Send {"repository": "owner/name"}.', 'Name one of the integration’s repositories.');
      }
      return actions.startWriteCheck(id(c), repository, actorOf(c));
    }, 202),
  );
  api.get(
    '/:id/write-checks',
    handle((c) => actions.writeChecks(id(c))),
  );
  api.get(
    '/:id/write-checks/:run',
    handle((c) => actions.writeCheck(id(c), c.req.param('run') ?? '')),
  );
  api.put(
    '/:id/name',
    handle(async (c) => {
      const { name } = (await readJson(c)) as { name?: unknown };
      if (typeof name !== 'string') throw invalidInput('Send {"name": "…"}.', 'Give the new display name as a string.');
      return actions.rename(id(c), name, actorOf(c));
    }),
  );
  api.get(
    '/:id/roles',
    handle((c) => actions.grants(id(c))),
  );
  api.put(
    '/:id/roles',
    handle(async (c) => {
      const { login, role } = (await readJson(c)) as { login?: unknown; role?: unknown };
      if (typeof login !== 'string' || !isRole(role)) {
        throw invalidInput(
          'Send {"login": "octocat", "role": "view|manage|delete"}.',
          'Name a GitHub login and a role.',
        );
      }
      return actions.grantRole(id(c), login, role, actorOf(c));
    }),
  );
  api.delete(
    '/:id',
    handle(async (c) => {
      const body = (await readJson(c)) as { confirm?: unknown };
      const confirm = typeof body.confirm === 'string' ? body.confirm : (c.req.query('confirm') ?? '');
      return actions.remove(id(c), confirm, actorOf(c));
    }),
  );
  api.post(
    '/:id/uninstall',
    handle((c) => actions.uninstall(id(c), actorOf(c)), 202),
  );
  api.get(
    '/:id/deliveries',
    handle(async (c) => {
      const status = c.req.query('status');
      if (status !== undefined && !(STATUSES as readonly string[]).includes(status)) {
        throw invalidInput(`Unknown status "${status}".`, `Use one of ${STATUSES.join(', ')}.`);
      }
      const event = c.req.query('event');
      const repository = c.req.query('repository');
      const cursor = c.req.query('cursor');
      return actions.deliveries({
        integrationId: id(c),
        limit: limitOf(c),
        ...(status ? { status: status as DeliveryStatus } : {}),
        ...(event ? { event } : {}),
        ...(repository ? { repository } : {}),
        ...(cursor ? { cursor } : {}),
      });
    }),
  );
  api.get(
    '/:id/audit',
    handle(async (c) => {
      const cursor = c.req.query('cursor');
      return actions.audit({ integrationId: id(c), limit: limitOf(c), ...(cursor ? { cursor } : {}) });
    }),
  );
  return api;
}
