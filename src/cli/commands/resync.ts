import { parseArgs } from 'node:util';
import { callApi, type CliContext } from '../client.js';
import { readIntegrationId } from './integration-id.js';

export const refreshUsage = 'keel refresh <installation-id> [--json]';
export const updateUsage = 'keel update <installation-id> [--json]';

interface Resynced {
  id: number;
  state: string;
  refresh: { count: number; added: string[]; removed: string[] };
  redelivered?: number;
}

function describe(result: Resynced): string {
  const { count, added, removed } = result.refresh;
  const changes = [
    added.length > 0 ? `${added.length} added` : '',
    removed.length > 0 ? `${removed.length} removed` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return `${count} repositories${changes ? ` (${changes})` : ''}`;
}

async function run(kind: 'refresh' | 'update', args: string[], context: CliContext, usage: string): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false } },
  });
  const id = readIntegrationId(positionals, usage);
  const { body } = await callApi<Resynced>(context, `/api/installations/${id}/${kind}`, { method: 'POST' });
  if (values.json) {
    context.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
    return 0;
  }
  const redelivered = body.redelivered === undefined ? '' : `; ${body.redelivered} missed deliveries asked for again`;
  const state = kind === 'update' ? `; ${body.state}` : '';
  context.stdout.write(`${id}: ${describe(body)}${state}${redelivered}\n`);
  return kind === 'update' && body.state !== 'connected' ? 1 : 0;
}

/** Re-reads the repositories an installation can see (POST /api/installations/:id/refresh). */
export function refresh(args: string[], context: CliContext): Promise<number> {
  return run('refresh', args, context, refreshUsage);
}

/** Resync: repositories, verification and missed deliveries (POST /api/installations/:id/update). */
export function update(args: string[], context: CliContext): Promise<number> {
  return run('update', args, context, updateUsage);
}
