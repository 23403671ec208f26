/**
 * POST $WEBHOOK_PATH. Verifies the delivery and stores it, and never calls GitHub: GitHub waits
 * 10 s at most, and a delivery stored is a delivery kept. Every refusal happens before anything
 * is stored. It is a plain Node handler because it is the hot path.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { insertDeliveryBatch, type NewDelivery } from '../inbox/deliveries.js';
import { readFacts } from '../inbox/delivery-facts.js';
import { createGroupCommit } from '../inbox/group-commit.js';
import type { InboxWorker } from '../inbox/worker.js';
import { labelEvent, type KeelMetrics, type RefusalReason } from '../metrics.js';
import type { Store } from '../store/database.js';
import { createBodyBudget, readBody, RequestAbortedError, type BodyBudget } from './read-body.js';

export const MAX_WEBHOOK_BYTES = 25 * 1024 * 1024;
/** Bytes held at once by bodies not verified yet, unless configured otherwise. */
export const WEBHOOK_BUFFER_BYTES = 64 * 1024 * 1024;

export interface ReceiverOptions {
  store: Store;
  webhookSecret: string;
  /** What becomes of a validly signed delivery; see Verdict. */
  triage: (event: string, payload: object) => Verdict;
  /** This process's worker: takes handled deliveries over from memory, or is woken for them. */
  inbox: Pick<InboxWorker, 'reserve' | 'notify'>;
  log: Logger;
  metrics?: KeelMetrics;
  maxBodyBytes?: number;
  /** Shared by every request not verified yet (see read-body.ts). */
  bodyBudget?: BodyBudget;
  now?: () => number;
}

/**
 * A delivery is run, or recorded without running: `ignored` for an event Keel does not subscribe
 * to, `processed` for one its handlers have nothing to do for (a comment without a command, an
 * action no handler takes). Either way without its payload, and the answer GitHub logs says why.
 */
export type Verdict = { run: true } | { run: false; status: 'ignored' | 'processed'; reason: string };

/** `retryAfterSeconds` also closes the connection: the rest of that body is not worth reading. */
type Answer = { status: number; message: string; retryAfterSeconds?: number };

function answer(res: ServerResponse, { status, message, retryAfterSeconds }: Answer): void {
  const body = JSON.stringify(status < 300 ? { ok: true, message } : { error: message });
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...(retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds), connection: 'close' }),
  });
  res.end(body);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function verifySignature(secret: string, body: Buffer, signature: string | undefined): boolean {
  if (!signature || !signature.startsWith('sha256=')) return false;
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`);
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function createReceiver(options: ReceiverOptions) {
  const { store, webhookSecret, triage, inbox, log, metrics, now = Date.now } = options;
  const limit = options.maxBodyBytes ?? MAX_WEBHOOK_BYTES;
  const budget = options.bodyBudget ?? createBodyBudget(WEBHOOK_BUFFER_BYTES);
  const writer = createGroupCommit<NewDelivery, boolean>({ commit: (batch) => insertDeliveryBatch(store, batch) });

  async function judge(req: IncomingMessage): Promise<Answer> {
    // Until the signature is verified, anyone may be calling: metrics count reasons, never names.
    const refuse = (reason: RefusalReason, status: number, message: string): Answer => {
      metrics?.webhookRequestsRefused.inc({ reason });
      return { status, message, ...(reason === 'busy' ? { retryAfterSeconds: 1 } : {}) };
    };
    const declaredLength = Number(header(req, 'content-length') ?? 0);
    if (declaredLength > limit) return refuse('too-large', 413, `Body over ${limit} bytes.`);
    const event = header(req, 'x-github-event');
    const id = header(req, 'x-github-delivery');
    if (!event || !id) {
      return refuse(
        'missing-headers',
        400,
        'Missing X-GitHub-Event or X-GitHub-Delivery header: only GitHub webhook deliveries are accepted here.',
      );
    }
    if (id.length > 64) return refuse('bad-delivery-id', 400, 'X-GitHub-Delivery is longer than a delivery id can be.');
    const body = await readBody(req, limit, budget);
    if (body === 'too-large') return refuse('too-large', 413, `Body over ${limit} bytes.`);
    if (body === 'busy') {
      return refuse('busy', 503, 'Too many webhook bodies arriving at once; redeliver in a moment.');
    }
    if (!verifySignature(webhookSecret, body, header(req, 'x-hub-signature-256'))) {
      log.warn(
        { delivery: id },
        'Refused a delivery with a missing or wrong signature: verify that the webhook secret in the GitHub App settings matches WEBHOOK_SECRET',
      );
      return refuse('bad-signature', 401, 'Missing or wrong X-Hub-Signature-256: the webhook secret does not match.');
    }
    const eventLabel = labelEvent(event);
    const reject = (status: number, message: string): Answer => {
      metrics?.deliveriesReceived.inc({ event: eventLabel, outcome: 'rejected' });
      return { status, message };
    };
    let payload: unknown;
    try {
      payload = JSON.parse(body.toString('utf8'));
    } catch {
      return reject(400, 'The body is not JSON: set the webhook content type to application/json.');
    }
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
      return reject(400, 'The body is not a JSON object: GitHub sends each delivery as one object.');
    }
    const verdict = triage(event, payload);
    const facts = readFacts(event, payload);
    const claim = verdict.run ? inbox.reserve(facts.concurrencyKey, body.length) : undefined;
    let stored: boolean;
    try {
      stored = await writer.submit({
        id,
        event,
        ...facts,
        payload: body,
        status: verdict.run ? 'queued' : verdict.status,
        receivedAt: now(),
        ...(claim ? { claim } : {}),
      });
    } catch (error) {
      claim?.cancel();
      metrics?.deliveriesReceived.inc({ event: eventLabel, outcome: 'unavailable' });
      throw error;
    }
    if (!stored) {
      claim?.cancel();
      metrics?.deliveriesReceived.inc({ event: eventLabel, outcome: 'duplicate' });
      return { status: 202, message: 'Already received; not processed again.' };
    }
    if (!verdict.run) {
      const ignored = verdict.status === 'ignored';
      metrics?.deliveriesReceived.inc({ event: eventLabel, outcome: ignored ? 'ignored' : 'declined' });
      return {
        status: 202,
        message: ignored ? `Stored; ${verdict.reason}.` : `Accepted; nothing to run: ${verdict.reason}.`,
      };
    }
    metrics?.deliveriesReceived.inc({ event: eventLabel, outcome: 'accepted' });
    if (claim) claim.run({ id, event, payload });
    else inbox.notify(facts.concurrencyKey);
    return { status: 202, message: 'Accepted.' };
  }

  return async function receive(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      answer(res, await judge(req));
    } catch (error) {
      if (error instanceof RequestAbortedError) {
        // Nobody is left to answer; Node has already answered a timeout with 408.
        metrics?.webhookRequestsRefused.inc({ reason: error.reason });
        log.debug({ reason: error.reason }, 'A webhook request ended before its body arrived');
        return;
      }
      log.error({ err: error }, 'Could not store a webhook delivery');
      // Not stored: a 5xx makes GitHub report the failure, and it can be redelivered.
      answer(res, { status: 503, message: 'Could not store the delivery; redeliver it later.' });
    }
  };
}
