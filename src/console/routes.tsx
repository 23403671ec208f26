/**
 * The console's pages and form posts. Every route runs behind `requireUser` (session and CSRF);
 * each then asks the user's roles: an integration the user may not see answers 404 as an
 * unknown one does, a role too low 403. Posts call the integration actions, leave a flash
 * message and redirect back (303), so every page works without JavaScript.
 */
import { Hono, type MiddlewareHandler } from 'hono';
import { KeelError } from '../errors.js';
import type { IntegrationActions } from '../integrations/actions.js';
import type { KeelServices } from '../keel.js';
import { CONSOLE_PAGE_HEADERS, type ConsoleAssets } from './assets.js';
import type { ConsoleEnv, ConsoleUser } from './auth/session.js';
import { AuditPage } from './pages/audit-page.js';
import {
  countPendingDeliveries,
  readDeliveryPayload,
  readIntegrationListing,
  readIntegrationNames,
} from './pages/console-reads.js';
import { DeliveriesPage } from './pages/deliveries-page.js';
import { integrationRoutes } from './pages/integration-routes.js';
import { IntegrationsPage } from './pages/integrations-page.js';
import { providerName } from './pages/layout.js';
import { MessagePage, pendingApprovalView } from './pages/message-page.js';
import { PayloadPage } from './pages/payload-page.js';
import { setFlash } from './pages/flash.js';
import { finishPost, forbidden, frameFor, notFound, safeBack, sendMessage, sendPage } from './pages/respond.js';
import { readIntegrationsQuery } from './pages/sort-integrations.js';
import { toAuditView, toDeliveryView, toIntegrationSummary } from './pages/to-views.js';
import { collectVisible, deliveryStatusOf, readDeliveryFilters, settleInTurns } from './pages/visible-history.js';
import { roleAllows, type Role } from './roles.js';
import { confirmSetup, SetupError } from './setup.js';

export interface ConsoleRoutesOptions {
  services: KeelServices;
  actions: IntegrationActions;
  requireUser: MiddlewareHandler<ConsoleEnv>;
  assets: ConsoleAssets;
  rolesFor: (user: ConsoleUser) => Promise<Map<string, Role>>;
  /** Where Add integration sends the admin: the app's installation page on GitHub. */
  installUrl: () => Promise<string>;
}

/** Served before sign-in: the stylesheet and script, and GitHub's return to the sign-in flow. */
const OPEN_PATHS = ['/console/assets/', '/console/auth/'];
/** Test all / Update all verify this many integrations at a time. */
const BULK_PARALLEL = 4;

export function consoleRoutes(options: ConsoleRoutesOptions): Hono<ConsoleEnv> {
  const { services, actions, requireUser, assets, rolesFor } = options;
  const routes = new Hono<ConsoleEnv>();
  const guard: MiddlewareHandler<ConsoleEnv> = async (c, next) => {
    if (OPEN_PATHS.some((path) => c.req.path.startsWith(path))) return next();
    const refused = await requireUser(c, next);
    if (refused) c.res = refused;
    for (const [name, value] of Object.entries(CONSOLE_PAGE_HEADERS)) c.res.headers.set(name, value);
  };
  routes.use('/setup', guard);
  routes.use('/console', guard);
  routes.use('/console/*', guard);
  routes.route('/', integrationRoutes(options));

  routes.get('/console', async (c) => {
    const roles = await rolesFor(c.get('user'));
    const visible = (await readIntegrationListing(services.store, services.config)).filter((listed) =>
      roles.has(listed.id),
    );
    const pending = await countPendingDeliveries(
      services.store,
      visible.map((listed) => Number(listed.id)),
    );
    return sendPage(
      c,
      <IntegrationsPage
        {...frameFor(c, assets)}
        integrations={visible.map((listed) =>
          toIntegrationSummary(listed, roles.get(listed.id) ?? 'view', pending.get(listed.id) ?? 0),
        )}
        query={readIntegrationsQuery(c.req.query())}
        installUrl="/console/add/github"
        providerName={providerName(
          services.config.githubHost === 'api.github.com' ? 'github' : 'github-enterprise',
          new URL(services.config.githubWebUrl).host,
        )}
      />,
    );
  });

  // GitHub unreachable while asking for the user's roles (or a setup): a page that says so, not a 500.
  routes.onError((error, c) => {
    if (!(error instanceof KeelError) || !c.get('user')) {
      services.log.error({ err: error, path: c.req.path }, 'A console page failed');
      return c.json({ error: 'Internal error; see the server log.' }, 500);
    }
    services.log.warn({ err: error, path: c.req.path }, `A console page failed: ${error.message}`);
    return sendMessage(c, assets, 502, 'GitHub did not answer', `${error.message} ${error.remedy}`);
  });

  routes.get('/setup', async (c) => {
    const query = c.req.query();
    try {
      const outcome = await confirmSetup(services, c.get('user'), {
        installationId: query.installation_id ?? '',
        setupAction: query.setup_action ?? '',
        ...(query.org ? { org: query.org } : {}),
      });
      if (outcome.kind === 'pending-approval') {
        return sendPage(
          c,
          <MessagePage {...pendingApprovalView(frameFor(c, assets), outcome.org ?? 'the organization')} />,
        );
      }
      setFlash(c, {
        kind: outcome.verified ? 'success' : 'error',
        message: outcome.verified
          ? `Integration added; the connection is ${outcome.state}.`
          : 'Integration added; its verification is still running.',
      });
      return c.redirect(`/console/integrations/${encodeURIComponent(outcome.integrationId)}`, 302);
    } catch (error) {
      if (!(error instanceof SetupError)) throw error;
      return sendMessage(c, assets, error.status, 'The integration was not added', `${error.message} ${error.remedy}`);
    }
  });

  routes.get('/console/add/github', async (c) => c.redirect(await options.installUrl(), 302));

  routes.post('/console/bulk/:kind{test|update}', async (c) => {
    const user = c.get('user');
    const kind = c.req.param('kind') as 'test' | 'update';
    const roles = await rolesFor(user);
    const ids = [...roles].filter(([, role]) => roleAllows(role, 'delete')).map(([id]) => id);
    if (ids.length === 0) return forbidden(c, assets, 'delete');
    return finishPost(c, '/console', async () => {
      const outcomes = await settleInTurns(ids, BULK_PARALLEL, (id) => actions[kind](id, user.login));
      const failed = outcomes.filter((outcome) => outcome.status === 'rejected').length;
      const verb = kind === 'test' ? 'Tested' : 'Updated';
      return `${verb} ${ids.length} integration${ids.length === 1 ? '' : 's'}${failed > 0 ? `; ${failed} failed, see their pages` : ''}.`;
    });
  });

  routes.get('/console/deliveries', async (c) => {
    const roles = await rolesFor(c.get('user'));
    const filters = readDeliveryFilters(c.req.query());
    const status = deliveryStatusOf(filters);
    if (filters.integration && !roles.has(filters.integration)) return notFound(c, assets);
    const page = await collectVisible(
      roles,
      filters.integration,
      c.req.query('cursor'),
      (query) =>
        actions.deliveries({
          ...query,
          ...(status ? { status } : {}),
          ...(filters.event ? { event: filters.event } : {}),
          ...(filters.repository ? { repository: filters.repository } : {}),
        }),
      (item) => (item.installationId === null ? null : String(item.installationId)),
    );
    const manageable = new Set([...roles].filter(([, role]) => roleAllows(role, 'manage')).map(([id]) => id));
    return sendPage(
      c,
      <DeliveriesPage
        {...frameFor(c, assets)}
        deliveries={page.items.map(toDeliveryView)}
        filters={filters}
        nextCursor={page.nextCursor}
        manageable={manageable}
      />,
    );
  });

  routes.get('/console/deliveries/:id/payload', async (c) => {
    const roles = await rolesFor(c.get('user'));
    const delivery = await readDeliveryPayload(services.store, c.req.param('id'));
    const role = delivery?.integrationId ? roles.get(delivery.integrationId) : undefined;
    if (!delivery || !role)
      return sendMessage(c, assets, 404, 'Not found', 'There is no such delivery, or you may not see it.');
    if (!roleAllows(role, 'manage')) return forbidden(c, assets, 'manage');
    return sendPage(
      c,
      <PayloadPage
        {...frameFor(c, assets)}
        id={c.req.param('id')}
        event={delivery.event}
        status={delivery.status}
        payload={delivery.payload}
      />,
    );
  });

  routes.post('/console/deliveries/:id/retry', async (c) => {
    const user = c.get('user');
    const roles = await rolesFor(user);
    const delivery = await readDeliveryPayload(services.store, c.req.param('id'));
    const role = delivery?.integrationId ? roles.get(delivery.integrationId) : undefined;
    if (!delivery || !role)
      return sendMessage(c, assets, 404, 'Not found', 'There is no such delivery, or you may not see it.');
    if (!roleAllows(role, 'manage')) return forbidden(c, assets, 'manage');
    const back = safeBack(c.req.header('referer'), '/console/deliveries');
    return finishPost(c, back, async () => {
      const retried = await actions.retryDelivery(c.req.param('id'), user.login);
      return `Delivery ${retried.id} (${retried.event}) is queued again.`;
    });
  });

  routes.get('/console/audit', async (c) => {
    const user = c.get('user');
    const roles = await rolesFor(user);
    const integration = c.req.query('integration') ?? '';
    if (integration && !roles.has(integration)) return notFound(c, assets);
    const page = await collectVisible(
      roles,
      integration,
      c.req.query('cursor'),
      (query) => actions.audit(query),
      (entry) => entry.integrationId,
      (entry) => entry.actor === user.login,
    );
    const shown = new Set(page.items.flatMap((entry) => (entry.integrationId ? [entry.integrationId] : [])));
    const names = await readIntegrationNames(services.store, [...shown]);
    return sendPage(
      c,
      <AuditPage
        {...frameFor(c, assets)}
        entries={page.items.map(toAuditView)}
        integration={integration}
        nextCursor={page.nextCursor}
        names={names}
      />,
    );
  });

  return routes;
}
