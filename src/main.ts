/**
 * Process entry: .env → config → (registration, or store → Probot → workers → HTTP). SIGTERM and
 * SIGINT shut down gracefully: stop accepting, finish or release claimed deliveries, close.
 */
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import type { Logger } from 'pino';
import { loadConfig, type KeelConfig } from './config.js';
import { KeelError } from './errors.js';
import { describeListenError, listenOn } from './http/listen.js';
import { registrationRoutes, readManifest } from './http/registration.js';
import { startWebhookProxy } from './http/webhook-proxy.js';
import { createKeel } from './keel.js';
import { createLogger, createSecretScrubber } from './logging.js';
import { capabilityPlugins } from './plugins.js';

async function startRegistration(config: KeelConfig, log: Logger): Promise<void> {
  const routes = registrationRoutes({ config, manifest: readManifest() });
  await listenOn(createServer(getRequestListener(routes.fetch)), config);
  log.info(
    `Keel is not registered yet (no APP_ID). Open ${config.publicUrl}/ to register it with GitHub from app.yml.`,
  );
}

async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadConfig();
  const scrub = createSecretScrubber([config.webhookSecret, config.adminToken, config.githubClientSecret]);
  const log = await createLogger({ level: config.logLevel, format: config.logFormat, scrub });
  if (!config.appId) return startRegistration(config, log);

  const keel = await createKeel({ config, log, plugins: capabilityPlugins() });
  const url = await keel.listen().catch(async (error: unknown) => {
    await keel.stop(0).catch(() => undefined);
    throw describeListenError(error, config);
  });
  log.info(`Keel listening on ${url} (webhooks at ${config.webhookPath}, store: ${keel.store.dialect})`);

  const proxy = config.webhookProxyUrl
    ? await startWebhookProxy({ source: config.webhookProxyUrl, target: `${url}${config.webhookPath}`, log })
    : undefined;

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal} received: finishing claimed deliveries, then exiting`);
    void proxy?.close().catch(() => undefined);
    keel.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'Shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  if (error instanceof KeelError) {
    console.error(`keel: ${error.message}\n  fix: ${error.remedy}`);
  } else {
    console.error('keel: failed to start:', error);
  }
  process.exit(1);
});
