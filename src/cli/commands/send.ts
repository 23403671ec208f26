import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CliError, keelUrl, unreachable, type CliContext } from '../client.js';
import { findExamplePayloads, signDelivery } from '../payloads.js';

export const sendUsage = 'keel send <event>[.<action>] [--payload file.json] [--id delivery-id] [--json]';

/** Signs a delivery with WEBHOOK_SECRET and posts it to a running Keel, as GitHub would. */
export async function send(args: string[], context: CliContext): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { payload: { type: 'string' }, id: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  const [target] = positionals;
  if (!target) throw new CliError(`usage: ${sendUsage}`, 2);
  const [event = '', action] = target.split('.');
  const secret = context.env.WEBHOOK_SECRET;
  if (!secret) throw new CliError('WEBHOOK_SECRET is not set: export the secret Keel was started with.', 2);
  let payload: unknown;
  if (values.payload) {
    try {
      payload = JSON.parse(readFileSync(values.payload, 'utf8'));
    } catch (error) {
      throw new CliError(
        `Cannot read ${values.payload} as JSON: ${error instanceof Error ? error.message : String(error)}`,
        2,
      );
    }
  } else {
    payload = findExamplePayloads(event, action)[0];
    if (!payload) throw new CliError(`No example payload for ${target}: pass one with --payload file.json.`, 2);
  }
  const delivery = signDelivery(secret, event, payload, values.id);
  const path = context.env.WEBHOOK_PATH ?? '/api/github/webhooks';
  const response = await fetch(`${keelUrl(context.env)}${path}`, {
    method: 'POST',
    headers: delivery.headers,
    body: delivery.body,
  }).catch((error: unknown) => {
    throw unreachable(context, error);
  });
  const answer = (await response.json().catch(() => ({}))) as { message?: string; error?: string };
  if (values.json) context.stdout.write(`${JSON.stringify({ id: delivery.id, status: response.status, ...answer })}\n`);
  else context.stdout.write(`${response.status} ${delivery.id}: ${answer.message ?? answer.error ?? ''}\n`);
  return response.status === 202 ? 0 : 1;
}
