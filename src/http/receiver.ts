/**
 * POST $WEBHOOK_PATH. Verifies the delivery and stores it, and never calls GitHub: GitHub waits
 * 10 s at most, and a delivery stored is a delivery kept. Every refusal happens before anything
 * is stored. It is a plain Node handler because it is the hot path.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { insertDeliveryBatch, type NewDelivery } from '../inbox/deliveries.js';
import { createGroupCommit } from '../inbox/group-commit.js';
import type { InboxWorker } from '../inbox/worker.js';
import type { KeelMetrics } from '../metrics.js';
import type { Store } from '../store/database.js';

export const MAX_WEBHOOK_BYTES = 25 * 1024 * 1024;

export interface ReceiverOptions {
  store: Store;
  webhookSecret: string;
  /** Events dispatched to handlers; any other validly signed event is stored as ignored. */
  handledEvents: ReadonlySet<string>;
  /** This process's worker: takes handled deliveries over from memory, or is woken for them. */
  inbox: Pick<InboxWorker, 'reserve' | 'notify'>;
  log: Logger;
  metrics?: KeelMetrics;
  maxBodyBytes?: number;
  now?: () => number;
}

type Answer = { status: number; message: string };

function answer(res: ServerResponse, { status, message }: Answer): void {
  const body = JSON.stringify(status < 300 ? { ok: true, message } : { error: message });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Reads the body, giving up (and draining nothing more) as soon as it passes `limit`. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        resolve('too-large');
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks, size)));
    req.on('error', reject);
  });
}

export function verifySignature(secret: string, body: Buffer, signature: string | undefined): boolean {
  if (!signature || !signature.startsWith('sha256=')) return false;
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`);
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

interface PayloadFacts {
  action: string | null;
  installationId: number | null;
  repository: string | null;
}

function readFacts(payload: unknown): PayloadFacts {
  const record = (payload ?? {}) as {
    action?: unknown;
    installation?: { id?: unknown };
    repository?: { full_name?: unknown };
  };
  return {
    action: typeof record.action === 'string' ? record.action : null,
    installationId: typeof record.installation?.id === 'number' ? record.installation.id : null,
    repository: typeof record.repository?.full_name === 'string' ? record.repository.full_name : null,
  };
}

export function createReceiver(options: ReceiverOptions) {
  const { store, webhookSecret, handledEvents, inbox, log, metrics, now = Date.now } = options;
  const limit = options.maxBodyBytes ?? MAX_WEBHOOK_BYTES;
  const writer = createGroupCommit<NewDelivery, boolean>({ commit: (batch) => insertDeliveryBatch(store, batch) });

  async function judge(req: IncomingMessage): Promise<Answer> {
    const event = header(req, 'x-github-event');
    const reject = (status: number, message: string): Answer => {
      metrics?.deliveriesReceived.inc({ event: event ?? 'unknown', outcome: 'rejected' });
      return { status, message };
    };
    const declaredLength = Number(header(req, 'content-length') ?? 0);
    if (declaredLength > limit) return reject(413, `Body over ${limit} bytes.`);
    const id = header(req, 'x-github-delivery');
    if (!event || !id) {
      return reject(
        400,
        'Missing X-GitHub-Event or X-GitHub-Delivery header: only GitHub webhook deliveries are accepted here.',
      );
    }
    if (id.length > 64) return reject(400, 'X-GitHub-Delivery is longer than a delivery id can be.');
    const body = await readBody(req, limit);
    if (body === 'too-large') return reject(413, `Body over ${limit} bytes.`);
    if (!verifySignature(webhookSecret, body, header(req, 'x-hub-signature-256'))) {
      log.warn(
        { delivery: id, event },
        'Refused a delivery with a missing or wrong signature: verify that the webhook secret in the GitHub App settings matches WEBHOOK_SECRET',
      );
      return reject(401, 'Missing or wrong X-Hub-Signature-256: the webhook secret does not match.');
    }
    let payload: unknown;
    try {
      payload = JSON.parse(body.toString('utf8'));
    } catch {
      return reject(400, 'The body is not JSON: set the webhook content type to application/json.');
    }
    if (payload === null || typeof payload !== 'object') return reject(400, 'The body is not a JSON object.');
    const handled = handledEvents.has(event);
    const claim = handled ? inbox.reserve() : undefined;
    let stored: boolean;
    try {
      stored = await writer.submit({
        id,
        event,
        ...readFacts(payload),
        payload: body,
        status: handled ? 'queued' : 'ignored',
        receivedAt: now(),
        ...(claim ? { claim } : {}),
      });
    } catch (error) {
      claim?.cancel();
      throw error;
    }
    if (!stored) {
      claim?.cancel();
      metrics?.deliveriesReceived.inc({ event, outcome: 'duplicate' });
      return { status: 202, message: 'Already received; not processed again.' };
    }
    metrics?.deliveriesReceived.inc({ event, outcome: handled ? 'accepted' : 'ignored' });
    if (claim) claim.run({ id, event, payload });
    else if (handled) inbox.notify();
    return { status: 202, message: handled ? 'Accepted.' : `Stored; Keel does not handle ${event} events.` };
  }

  return async function receive(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      answer(res, await judge(req));
    } catch (error) {
      log.error({ err: error }, 'Could not store a webhook delivery');
      // Not stored: a 5xx makes GitHub report the failure, and it can be redelivered.
      answer(res, { status: 503, message: 'Could not store the delivery; redeliver it later.' });
    }
  };
}
