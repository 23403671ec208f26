import { parseArgs } from 'node:util';
import { callApi, type CliContext } from '../client.js';
import { readIntegrationId } from './integration-id.js';

export const exclusionsUsage = "keel exclusions <installation-id> [--set 'GLOB' … | --clear] [--json]";

/**
 * Shows an installation's repository exclusions, or replaces them (PUT /api/installations/:id/exclusions):
 * globs matched against repository names without their owner.
 */
export async function exclusions(args: string[], context: CliContext): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      set: { type: 'string', multiple: true },
      clear: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  const id = readIntegrationId(positionals, exclusionsUsage);
  const rules = values.clear ? [] : values.set;
  const { body } = await callApi<{ exclusions: string[] }>(
    context,
    `/api/installations/${id}${rules ? '/exclusions' : ''}`,
    rules ? { method: 'PUT', body: JSON.stringify({ rules }) } : {},
  );
  if (values.json) {
    context.stdout.write(`${JSON.stringify({ rules: body.exclusions }, null, 2)}\n`);
    return 0;
  }
  context.stdout.write(
    body.exclusions.length === 0
      ? `No repository of installation ${id} is excluded.\n`
      : `Excluded in installation ${id}:\n${body.exclusions.map((rule) => `  ${rule}\n`).join('')}`,
  );
  return 0;
}
