/**
 * The web console: GitHub sign-in (auth/), the pages and their form posts (routes.tsx) and the
 * assets they load, all on Keel's own HTTP server.
 */
import { createIntegrationActions } from '../integrations/actions.js';
import type { KeelPlugin, KeelServices } from '../keel.js';
import { loadConsoleAssets } from './assets.js';
import { consoleAuth } from './auth/session.js';
import { rolesFor } from './roles.js';
import { consoleRoutes } from './routes.js';

/** The app's installation page on GitHub (`/apps/<slug>/installations/new`); the slug is asked once. */
function appInstallUrl(services: KeelServices): () => Promise<string> {
  const web = services.config.githubWebUrl;
  let slug: Promise<string> | undefined;
  return async () => {
    slug ??= services.probot
      .auth()
      .then((app) => app.request('GET /app'))
      .then(({ data }) => data?.slug ?? '');
    try {
      const known = await slug;
      if (known) return `${web}/apps/${encodeURIComponent(known)}/installations/new`;
    } catch (error) {
      services.log.warn({ err: error }, 'Could not read the app from GitHub; Add integration goes to the app settings');
    }
    slug = undefined;
    return `${web}/settings/apps`;
  };
}

export function consolePlugin(): KeelPlugin {
  return (services, http) => {
    const assets = loadConsoleAssets();
    const auth = consoleAuth(services);
    http.route('/', assets.routes);
    http.route('/', auth.routes);
    http.route(
      '/',
      consoleRoutes({
        services,
        actions: createIntegrationActions(services),
        requireUser: auth.requireUser,
        assets,
        rolesFor: (user) => rolesFor(services, user),
        installUrl: appInstallUrl(services),
      }),
    );
  };
}
