/**
 * Assembles a running Keel from its configuration: store → Probot → inbox workers → HTTP. Used by
 * `main.ts` and by end-to-end tests, which start it on an ephemeral port.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import type { Logger } from 'pino';
import type { ApplicationFunction } from 'probot';
import type { EmitterWebhookEvent } from '@octokit/webhooks';
import { handledEvents } from './capabilities.js';
import { verifyAppNow } from './connection/verify-app-now.js';
import type { KeelConfig } from './config.js';
import { ConfigError } from './errors.js';
import { createInstallationTokens, type InstallationTokens } from './github/installation-tokens.js';
import { createKeelOctokit, type KeelOctokitClass } from './github/octokit.js';
import { apiAuth } from './console/auth/api-auth.js';
import { integrationsApi } from './integrations/api.js';
import { createIntegrationActions } from './integrations/actions.js';
import { createIntegrationGate, type IntegrationGate } from './integrations/gate.js';
import { deliveriesApi } from './http/deliveries-api.js';
import { metricsRoute, operationsRoutes } from './http/operations.js';
import { createBodyBudget } from './http/read-body.js';
import { createGitHubCheck } from './http/readiness.js';
import { createReceiver } from './http/receiver.js';
import { countDeliveriesByStatus } from './inbox/deliveries.js';
import { startDeliveryRetention } from './inbox/retention.js';
import { HandlerProbot } from './inbox/handler-probot.js';
import { createInboxWorker, type InboxWorker, type InboxWorkerOptions } from './inbox/worker.js';
import { createSecretScrubber } from './logging.js';
import { createMetrics, type KeelMetrics } from './metrics.js';
import { createConfigCache, type ConfigCache } from './repo-config/config-cache.js';
import { openStore, type Store } from './store/database.js';

export interface KeelServices {
  config: KeelConfig;
  store: Store;
  probot: HandlerProbot;
  tokens: InstallationTokens;
  metrics: KeelMetrics;
  log: Logger;
  worker: InboxWorker;
  /** Keel's Octokit class (retry, throttling, request guard, metrics), for clients Probot does not make. */
  Octokit: KeelOctokitClass;
  /** ETags and copies of `.github/keel.yml` files, shared by every capability that reads them. */
  repoConfigCache: ConfigCache;
  /** Services switched on and repositories excluded, per installation: ask before writing. */
  integrations: IntegrationGate;
  /** Registers work to finish on `keel.stop()` (clear timers, await runs), before the store closes. */
  onStop(hook: () => void | Promise<void>): void;
}

/** A capability plugs into Keel: its Probot handlers and, optionally, HTTP routes. */
export type KeelPlugin = (services: KeelServices, http: Hono) => void | Promise<void>;

export interface CreateKeelOptions {
  config: KeelConfig;
  log: Logger;
  plugins?: KeelPlugin[];
  /** Extra Probot application functions (tests use one to observe dispatched events). */
  appFunctions?: ApplicationFunction[];
  worker?: Partial<Omit<InboxWorkerOptions, 'store' | 'dispatch' | 'log'>>;
  /** GitHub request pacing (see createKeelOctokit); on unless a test turns it off. */
  githubThrottle?: boolean;
}

export interface Keel extends KeelServices {
  server: Server;
  /** The listener of KEEL_METRICS_PORT, when set. */
  metricsServer: Server | undefined;
  /** Listens on config.port (0 for an ephemeral port) and returns the base URL. */
  listen(): Promise<string>;
  /** Graceful shutdown: stop accepting, finish or release claimed deliveries, close the store. */
  stop(graceMs?: number): Promise<void>;
}

/** /readyz waits this long for GitHub's answer to `GET /app`, without retries. */
const READYZ_GITHUB_TIMEOUT_MS = 5_000;

function isLoopbackUrl(url: string): boolean {
  return ['localhost', '127.0.0.1', '[::1]'].includes(new URL(url).hostname);
}

export async function createKeel({
  config,
  log,
  plugins = [],
  appFunctions = [],
  worker: workerOptions = {},
  githubThrottle = true,
}: CreateKeelOptions): Promise<Keel> {
  if (!config.appId || !config.privateKey || !config.webhookSecret) {
    throw new ConfigError(
      'Keel is not registered with GitHub yet.',
      'Run `npm start` without APP_ID to register the app, or set APP_ID, PRIVATE_KEY and WEBHOOK_SECRET.',
    );
  }
  const scrub = createSecretScrubber([
    config.webhookSecret,
    config.adminToken,
    config.githubClientSecret,
    config.privateKey,
  ]);
  if (isLoopbackUrl(config.publicUrl)) {
    log.warn(
      `KEEL_PUBLIC_URL is not set to a public address: links in statuses and comments point at ${config.publicUrl}, which nobody else can open. Set KEEL_PUBLIC_URL to the URL people reach Keel at.`,
    );
  }
  const metrics = createMetrics();
  const store = await openStore(config.databaseUrl, {
    timeouts: config.databaseTimeouts,
    onConnectionError: (error) =>
      log.warn({ err: error }, 'A Postgres connection failed; the pool drops it and the next query connects anew'),
    onSchemaMigrated: (migrations) =>
      log.warn({ migrations }, 'The database schema was missing or behind; Keel migrated it again'),
    onCheckpointError: (message) =>
      log.warn({ error: message }, 'A background SQLite checkpoint failed; it is tried again shortly'),
  });
  const octokit = createKeelOctokit({
    baseUrl: config.githubApiUrl,
    metrics,
    throttle: githubThrottle,
    ...(config.redisUrl ? { redisUrl: config.redisUrl } : {}),
    log: log.child({ name: 'github' }),
  });
  // Probot's handler registration and routing, without an Octokit built per event (handler-probot.ts).
  const probot = new HandlerProbot({
    appId: config.appId,
    privateKey: config.privateKey,
    secret: config.webhookSecret,
    baseUrl: config.githubApiUrl,
    log: log.child({ name: 'probot' }),
    Octokit: octokit.Octokit,
  });
  const tokens = createInstallationTokens({
    appOctokit: () => probot.auth(),
    Octokit: octokit.Octokit,
    githubHost: config.githubHost,
    log: log.child({ name: 'octokit' }),
  });
  const worker = createInboxWorker({
    store,
    log: log.child({ name: 'inbox' }),
    metrics,
    scrub,
    concurrency: config.workerConcurrency,
    handoffBytes: config.workerHandoffBytes,
    ...workerOptions,
    dispatch: (delivery) => probot.receive(delivery as EmitterWebhookEvent),
  });
  const stopHooks: (() => void | Promise<void>)[] = [];
  const services: KeelServices = {
    config,
    store,
    probot,
    tokens,
    metrics,
    log,
    worker,
    Octokit: octokit.Octokit,
    repoConfigCache: createConfigCache(),
    integrations: createIntegrationGate({ store }),
    onStop: (hook) => void stopHooks.push(hook),
  };

  metrics.collectOnScrape(async () => {
    const counts = await countDeliveriesByStatus(store);
    for (const status of ['queued', 'processing', 'failed', 'dead'] as const) {
      metrics.inboxDepth.set({ status }, counts.get(status) ?? 0);
    }
  });

  const http = new Hono();
  const readyzLog = log.child({ name: 'readyz' });
  const checkGitHub = createGitHubCheck({
    // The verifier's own check, so /readyz and `keel verify` judge GET /app alike.
    checkAppCredentials: () => verifyAppNow(services, { timeoutMs: READYZ_GITHUB_TIMEOUT_MS }),
    log: readyzLog,
  });
  http.route('/', operationsRoutes({ store, log: readyzLog, checkGitHub, redisUrl: config.redisUrl }));
  if (config.metricsPort === undefined) http.route('/', metricsRoute({ metrics, token: config.metricsToken }));
  // The admin token, or a console session limited to the user's integrations.
  http.use('/api/*', apiAuth(services));
  http.route('/api/deliveries', deliveriesApi({ store, onRequeued: () => worker.notify() }));
  // Before the plugins: answers list and detail with names, services and exclusions; the
  // connection's own routes (verify) follow on the same prefix.
  http.route('/api/installations', integrationsApi(services, createIntegrationActions(services)));
  for (const plugin of plugins) await plugin(services, http);
  for (const appFunction of appFunctions)
    await probot.load(appFunction, { cwd: process.cwd(), addHandler: () => undefined });
  http.notFound((c) => c.json({ error: 'Not found.' }, 404));
  http.onError((error, c) => {
    log.error({ err: error, path: c.req.path }, 'Request failed');
    return c.json({ error: 'Internal error; see the server log.' }, 500);
  });

  const handled = handledEvents();
  const receive = createReceiver({
    store,
    webhookSecret: config.webhookSecret,
    triage: (event, payload) => {
      if (!handled.has(event)) return { run: false, status: 'ignored', reason: `Keel does not handle ${event} events` };
      const triage = probot.triage(event, payload);
      return triage.run ? triage : { run: false, status: 'processed', reason: triage.reason };
    },
    inbox: worker,
    log: log.child({ name: 'receiver' }),
    metrics,
    bodyBudget: createBodyBudget(config.webhookBufferBytes),
  });
  const routes = getRequestListener(http.fetch);
  let accepting = true;
  // GitHub gives up on a delivery after 10 s: a request still arriving after requestTimeoutMs is
  // not GitHub's, and Node's own defaults (300 s, checked every 30 s) would let it hold memory.
  const timeouts = {
    requestTimeout: config.requestTimeoutMs,
    headersTimeout: config.requestTimeoutMs,
    connectionsCheckingInterval: Math.min(1_000, Math.max(25, config.requestTimeoutMs / 4)),
  };
  const server = createServer(timeouts, (req: IncomingMessage, res: ServerResponse) => {
    if (!accepting) {
      res.writeHead(503, { 'content-type': 'application/json', connection: 'close' }).end('{"error":"Shutting down."}');
      return;
    }
    const path = req.url?.split('?')[0];
    if (req.method === 'POST' && path === config.webhookPath) void receive(req, res);
    else void routes(req, res);
  });
  server.keepAliveTimeout = 65_000;
  const metricsServer =
    config.metricsPort === undefined
      ? undefined
      : createServer(
          timeouts,
          getRequestListener(metricsRoute({ metrics, token: config.metricsToken, ownListener: true }).fetch),
        );

  return {
    ...services,
    server,
    metricsServer,
    async listen() {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => resolve());
      });
      if (metricsServer) {
        await new Promise<void>((resolve, reject) => {
          metricsServer.once('error', reject);
          metricsServer.listen(config.metricsPort, config.metricsHost ?? config.host, () => resolve());
        });
      }
      worker.start();
      stopHooks.push(
        startDeliveryRetention({
          store,
          log: log.child({ name: 'inbox' }),
          retentionDays: config.deliveryRetentionDays,
        }),
      );
      const { port } = server.address() as AddressInfo;
      const host = config.host && config.host !== '0.0.0.0' && config.host !== '::' ? config.host : '127.0.0.1';
      return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    },
    async stop(graceMs = 10_000) {
      accepting = false;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // Stop hooks (background jobs) and the inbox drain share one grace period: a job stuck on
      // an unreachable GitHub must not hold the process past it.
      const hooks = Promise.all(
        stopHooks.map((hook) =>
          Promise.resolve()
            .then(hook)
            .catch((error: unknown) => log.error({ err: error }, 'A stop hook failed')),
        ),
      );
      let graceTimer: NodeJS.Timeout | undefined;
      const grace = new Promise<'late'>((resolve) => {
        graceTimer = setTimeout(() => resolve('late'), graceMs);
      });
      const [, hooksOutcome] = await Promise.all([worker.stop(graceMs), Promise.race([hooks, grace])]);
      clearTimeout(graceTimer);
      if (hooksOutcome === 'late') log.warn(`Background work did not finish within ${graceMs} ms; stopping anyway`);
      server.closeAllConnections();
      metricsServer?.closeAllConnections();
      await Promise.all([closed, metricsServer && new Promise((resolve) => metricsServer.close(resolve))]);
      await octokit.close();
      await store.close();
    },
  };
}
