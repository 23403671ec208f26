import { parseArgs } from 'node:util';
import { callApi, CliError, formatTable, type CliContext } from '../client.js';

interface Delivery {
  id: string;
  event: string;
  action: string | null;
  status: string;
  attempts: number;
  error: string | null;
  receivedAt: string;
}

export const deliveriesUsage =
  'keel deliveries [--status queued|processing|processed|failed|dead|ignored] [--limit N] [--json]';
export const retryUsage = 'keel retry <delivery-id> [--json]';

export async function deliveries(args: string[], context: CliContext): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      status: { type: 'string' },
      limit: { type: 'string', default: '100' },
      json: { type: 'boolean', default: false },
    },
  });
  const query = new URLSearchParams({ limit: values.limit });
  if (values.status) query.set('status', values.status);
  const { body } = await callApi<Delivery[]>(context, `/api/deliveries?${query}`);
  if (values.json) {
    context.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
    return 0;
  }
  const rows = body.map((delivery) => [
    delivery.receivedAt,
    delivery.id,
    delivery.action ? `${delivery.event}.${delivery.action}` : delivery.event,
    delivery.status,
    String(delivery.attempts),
    (delivery.error ?? '').slice(0, 80),
  ]);
  context.stdout.write(formatTable(['RECEIVED', 'ID', 'EVENT', 'STATUS', 'ATTEMPTS', 'ERROR'], rows));
  return 0;
}

export async function retry(args: string[], context: CliContext): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false } },
  });
  const [id] = positionals;
  if (!id) throw new CliError(`usage: ${retryUsage}`, 2);
  const { body } = await callApi<Delivery>(context, `/api/deliveries/${encodeURIComponent(id)}/retry`, {
    method: 'POST',
  });
  context.stdout.write(values.json ? `${JSON.stringify(body)}\n` : `${id} queued again\n`);
  return 0;
}
