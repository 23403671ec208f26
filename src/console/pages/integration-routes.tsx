/** `GET /console/integrations/:id` and its form posts; each checks the user's role on that integration. */
import { Hono } from 'hono';
import { KeelError } from '../../errors.js';
import type { IntegrationJson } from '../../integrations/actions.js';
import { IntegrationActionError, WriteCheckRunningError } from '../../integrations/errors.js';
import { SERVICE_IDS } from '../../integrations/services.js';
import type { ConsoleEnv } from '../auth/session.js';
import type { ConsoleRoutesOptions } from '../routes.js';
import { forgetRoles, isRole, roleAllows, type Role } from '../roles.js';
import { countPendingDeliveries, readRunHistory } from './console-reads.js';
import { IntegrationPage } from './integration-page.js';
import { WriteCheckPage } from './write-check-page.js';
import {
  finishPost,
  forbidden,
  RedirectingError,
  frameFor,
  notFound,
  sendPage,
  type ConsoleContext,
} from './respond.js';
import { toIntegrationDetails } from './to-views.js';
import type { IntegrationView } from './view.js';

const RECENT = 20;
/** Seconds between reloads while a verification runs. */
const REFRESH_SECONDS = 3;
/** Seconds between reloads while the pull request verification's steps run. */
const STEP_REFRESH_SECONDS = 2;

function writeCheckUrl(id: string, run: string): string {
  return `/console/integrations/${encodeURIComponent(id)}/write-checks/${encodeURIComponent(run)}`;
}

function field(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  return typeof value === 'string' ? value : '';
}

function splitRules(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((rule) => rule.trim())
    .filter(Boolean);
}

export function integrationRoutes(options: ConsoleRoutesOptions): Hono<ConsoleEnv> {
  const { services, actions, assets, rolesFor } = options;
  const routes = new Hono<ConsoleEnv>();

  /** The user's role on the integration, or the 404/403 page to answer with. */
  async function authorize(c: ConsoleContext, needed: Role): Promise<Role | Response> {
    const role = (await rolesFor(c.get('user'))).get(c.req.param('id') ?? '');
    if (!role) return notFound(c, assets);
    if (!roleAllows(role, needed)) return forbidden(c, assets, needed);
    return role;
  }

  async function readOrNull(id: string): Promise<IntegrationJson | null> {
    try {
      return await actions.get(id);
    } catch (error) {
      if (error instanceof IntegrationActionError && error.status === 404) return null;
      throw error;
    }
  }

  async function preview(id: string, text: string | undefined): Promise<IntegrationView['preview']> {
    if (text === undefined) return null;
    const rules = splitRules(text);
    try {
      const result = await actions.previewExclusions(id, rules);
      return { rules: result.rules, matches: result.excluded.map((entry) => entry.repository), error: null };
    } catch (error) {
      if (!(error instanceof KeelError)) throw error;
      return { rules, matches: [], error: `${error.message} ${error.remedy}` };
    }
  }

  routes.get('/console/integrations/:id', async (c) => {
    const role = await authorize(c, 'view');
    if (role instanceof Response) return role;
    const id = c.req.param('id');
    const integration = await readOrNull(id);
    if (!integration) return notFound(c, assets);
    const [history, writeChecks, deliveries, audit, pending, previewed] = await Promise.all([
      readRunHistory(services.store, integration.id),
      actions.writeChecks(id, 1),
      actions.deliveries({ integrationId: id, limit: RECENT }),
      actions.audit({ integrationId: id, limit: RECENT }),
      countPendingDeliveries(services.store, [integration.id]),
      preview(id, c.req.query('exclude')),
    ]);
    const details = toIntegrationDetails({
      integration,
      role,
      processing: pending.get(id) ?? 0,
      history,
      latestWriteCheck: writeChecks[0] ?? null,
      deliveries: deliveries.items,
      audit: audit.items,
      webBase: services.config.githubWebUrl,
    });
    return sendPage(
      c,
      <IntegrationPage
        {...frameFor(c, assets)}
        integration={details}
        repositoryFilter={(c.req.query('repos') ?? '').slice(0, 200)}
        preview={previewed}
        refreshSeconds={integration.state === 'pending' ? REFRESH_SECONDS : null}
      />,
    );
  });

  /** A form post on one integration: role check, the action, a flash, and back to its page. */
  function post(
    action: string,
    needed: Role,
    run: (c: ConsoleContext, body: Record<string, unknown>) => Promise<string | { redirect: string }>,
  ) {
    routes.post(`/console/integrations/:id/${action}`, async (c) => {
      const role = await authorize(c, needed);
      if (role instanceof Response) return role;
      if (!(await readOrNull(c.req.param('id')))) return notFound(c, assets);
      const body = (await c.req.parseBody()) as Record<string, unknown>;
      const back = `/console/integrations/${encodeURIComponent(c.req.param('id'))}`;
      return finishPost(c, back, () => run(c, body));
    });
  }

  post('test', 'manage', async (c, body) => {
    const id = c.req.param('id') ?? '';
    const user = c.get('user');
    const repository = field(body, 'repository');
    if (!repository) {
      const tested = await actions.test(id, user.login);
      return tested.state === 'connected'
        ? 'Connected: every check passed.'
        : `Tested: ${tested.state}. See the checks below.`;
    }
    try {
      const run = await actions.startWriteCheck(id, repository, user.login);
      return { redirect: writeCheckUrl(id, run.id) };
    } catch (error) {
      // Another run goes on: show that one, with why this one did not start.
      if (error instanceof WriteCheckRunningError) throw new RedirectingError(error, writeCheckUrl(id, error.runId));
      throw error;
    }
  });

  routes.get('/console/integrations/:id/write-checks/:run', async (c) => {
    const role = await authorize(c, 'view');
    if (role instanceof Response) return role;
    const id = c.req.param('id');
    const integration = await readOrNull(id);
    if (!integration) return notFound(c, assets);
    let run;
    try {
      run = await actions.writeCheck(id, c.req.param('run'));
    } catch (error) {
      if (error instanceof IntegrationActionError && error.status === 404) return notFound(c, assets);
      throw error;
    }
    return sendPage(
      c,
      <WriteCheckPage
        {...frameFor(c, assets)}
        integration={{ id, name: integration.name }}
        run={run}
        refreshSeconds={STEP_REFRESH_SECONDS}
      />,
    );
  });

  post('update', 'manage', async (c) => {
    const updated = await actions.update(c.req.param('id') ?? '', c.get('user').login);
    return `Updated: ${updated.refresh.count} repositories, state ${updated.state}, ${updated.redelivered} missed deliveries asked for again.`;
  });

  post('refresh', 'manage', async (c) => {
    const { refresh } = await actions.refresh(c.req.param('id') ?? '', c.get('user').login);
    return `Repositories refreshed: ${refresh.count} (${refresh.added.length} added, ${refresh.removed.length} removed).`;
  });

  post('rename', 'manage', async (c, body) => {
    const renamed = await actions.rename(c.req.param('id') ?? '', field(body, 'name'), c.get('user').login);
    return `Renamed to ${renamed.name}.`;
  });

  post('services', 'manage', async (c, body) => {
    const update = Object.fromEntries(SERVICE_IDS.map((id) => [id, field(body, id) === 'on']));
    const saved = await actions.setServices(c.req.param('id') ?? '', update, c.get('user').login);
    const on = SERVICE_IDS.filter((id) => saved.services[id]);
    return `Services saved: ${on.length === 0 ? 'none' : on.join(', ')} on.`;
  });

  post('exclusions', 'manage', async (c, body) => {
    const saved = await actions.setExclusions(
      c.req.param('id') ?? '',
      splitRules(field(body, 'rules')),
      c.get('user').login,
    );
    return saved.exclusions.length === 0 ? 'Exclusions cleared.' : `Exclusions saved: ${saved.exclusions.join(', ')}.`;
  });

  post('roles', 'delete', async (c, body) => {
    const role = field(body, 'role');
    if (!isRole(role))
      throw new IntegrationActionError(
        'INVALID_INPUT',
        `"${role}" is not a level.`,
        'Pick view, manage or delete.',
        400,
      );
    const login = field(body, 'login');
    await actions.grantRole(c.req.param('id') ?? '', login, role, c.get('user').login);
    return `${login.trim().replace(/^@/, '')} now holds the ${role} level.`;
  });

  post('uninstall', 'delete', async (c, body) => {
    const id = c.req.param('id') ?? '';
    const integration = await actions.get(id);
    if (field(body, 'confirm') !== integration.account.login) {
      throw new IntegrationActionError(
        'INVALID_INPUT',
        'Uninstalling was not confirmed.',
        'Tick the box, then press Uninstall.',
        400,
      );
    }
    await actions.uninstall(id, c.get('user').login);
    return `Keel was uninstalled from ${integration.account.login} on GitHub; its data goes when GitHub confirms.`;
  });

  routes.post('/console/integrations/:id/delete', async (c) => {
    const role = await authorize(c, 'delete');
    if (role instanceof Response) return role;
    const id = c.req.param('id');
    if (!(await readOrNull(id))) return notFound(c, assets);
    const body = (await c.req.parseBody()) as Record<string, unknown>;
    try {
      await actions.remove(id, field(body, 'confirm'), c.get('user').login);
    } catch (error) {
      return finishPost(c, `/console/integrations/${encodeURIComponent(id)}#delete`, () => Promise.reject(error));
    }
    forgetRoles(services.store);
    return finishPost(c, '/console', async () => `Integration ${id} and everything stored for it were deleted.`);
  });

  return routes;
}
