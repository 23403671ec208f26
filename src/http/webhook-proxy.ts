/**
 * WEBHOOK_PROXY_URL (local development): subscribes to a smee.io channel and forwards each
 * delivery to Keel's own receiver, signature and all. The proxy is a convenience: when the channel
 * cannot be reached, Keel says so and keeps running (the client keeps trying to connect).
 */
import type { Logger } from 'pino';
import { SmeeClient } from 'smee-client';

export interface StartWebhookProxyOptions {
  /** The channel, e.g. https://smee.io/abc. */
  source: string;
  /** Keel's receiver, e.g. http://127.0.0.1:3000/api/github/webhooks. */
  target: string;
  log: Logger;
}

export interface WebhookProxy {
  close(): Promise<void>;
}

/** Smee logs events and errors as objects; say what they carry instead of "[object Event]". */
function describe(values: readonly unknown[]): string {
  return values
    .map((value) => {
      if (typeof value === 'string') return value;
      const message = (value as { message?: unknown } | null)?.message;
      return typeof message === 'string' ? message : String(value);
    })
    .join(' ');
}

export async function startWebhookProxy({ source, target, log }: StartWebhookProxyOptions): Promise<WebhookProxy> {
  const client = new SmeeClient({
    source,
    target,
    logger: {
      info: (...args: unknown[]) => log.info(`webhook proxy: ${describe(args)}`),
      error: (...args: unknown[]) => log.warn(`webhook proxy: ${describe(args)}`),
    },
  });
  try {
    await client.start();
  } catch (error) {
    log.error(
      `Cannot reach WEBHOOK_PROXY_URL ${source} (${describe([error])}): Keel keeps running and keeps trying, but deliveries sent to the proxy arrive only once it connects. Check the URL and this machine's network.`,
    );
  }
  return { close: () => client.stop() };
}
