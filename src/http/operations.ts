/** GET /healthz (the process answers), /readyz (it can do its job), /metrics (Prometheus text). */
import { createAppAuth } from '@octokit/auth-app';
import { Hono } from 'hono';
import type { KeelMetrics } from '../metrics.js';
import type { Store } from '../store/database.js';

export interface OperationsOptions {
  store: Store;
  metrics: KeelMetrics;
  appId: number | undefined;
  privateKey: string | undefined;
}

type Check = { name: string; ok: boolean; detail: string };

async function checkStore(store: Store): Promise<Check> {
  try {
    await store.ping();
    return { name: 'store', ok: true, detail: `${store.dialect} answers` };
  } catch (error) {
    return {
      name: 'store',
      ok: false,
      detail: `${store.dialect} does not answer: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

/** Signs an app JWT locally: proves APP_ID and PRIVATE_KEY load, without calling GitHub. */
async function checkCredentials(appId: number | undefined, privateKey: string | undefined): Promise<Check> {
  if (!appId || !privateKey) {
    return { name: 'credentials', ok: false, detail: 'APP_ID or PRIVATE_KEY is not set: register the app first.' };
  }
  try {
    await createAppAuth({ appId, privateKey })({ type: 'app' });
    return { name: 'credentials', ok: true, detail: `app ${appId}: JWT signed` };
  } catch (error) {
    return {
      name: 'credentials',
      ok: false,
      detail: `cannot sign a JWT: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

export function operationsRoutes({ store, metrics, appId, privateKey }: OperationsOptions) {
  const routes = new Hono();
  routes.get('/healthz', (c) => c.json({ status: 'ok' }));
  routes.get('/readyz', async (c) => {
    const checks = await Promise.all([checkStore(store), checkCredentials(appId, privateKey)]);
    const ready = checks.every((check) => check.ok);
    return c.json({ status: ready ? 'ready' : 'not ready', checks }, ready ? 200 : 503);
  });
  routes.get('/metrics', async (c) => {
    const body = await metrics.registry.metrics();
    return c.body(body, 200, { 'content-type': metrics.registry.contentType });
  });
  return routes;
}
