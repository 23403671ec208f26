import { parseArgs } from 'node:util';
import { callApi, CliError, formatTable, type CliContext } from '../client.js';
import { readIntegrationId } from './integration-id.js';

export const servicesUsage = 'keel services <installation-id> [--set SERVICE=true|false …] [--json]';

/** `ci=false` → ["ci", false]. */
function readSwitch(text: string): [string, boolean] {
  const match = /^([\w-]+)=(true|false|on|off)$/.exec(text.trim());
  if (!match?.[1] || !match[2]) throw new CliError(`--set takes SERVICE=true or SERVICE=false, not "${text}".`, 2);
  return [match[1], match[2] === 'true' || match[2] === 'on'];
}

/** Shows an installation's services, or switches some on and off (PUT /api/installations/:id/services). */
export async function services(args: string[], context: CliContext): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { set: { type: 'string', multiple: true }, json: { type: 'boolean', default: false } },
  });
  const id = readIntegrationId(positionals, servicesUsage);
  const update = Object.fromEntries((values.set ?? []).map(readSwitch));
  const { body } = await callApi<{ services: Record<string, boolean> }>(
    context,
    `/api/installations/${id}${Object.keys(update).length > 0 ? '/services' : ''}`,
    Object.keys(update).length > 0 ? { method: 'PUT', body: JSON.stringify(update) } : {},
  );
  if (values.json) {
    context.stdout.write(`${JSON.stringify(body.services, null, 2)}\n`);
    return 0;
  }
  const rows = Object.entries(body.services).map(([service, on]) => [service, on ? 'on' : 'off']);
  context.stdout.write(formatTable(['SERVICE', 'STATE'], rows));
  return 0;
}
