import { parseArgs } from 'node:util';
import { callApi, CliError, type CliContext } from '../client.js';
import { readIntegrationId } from './integration-id.js';

export const deleteUsage = 'keel delete <installation-id> --confirm <account-login> [--json]';

/** Removes every row Keel stored for an installation (DELETE /api/installations/:id); GitHub keeps the app installed. */
export async function deleteIntegration(args: string[], context: CliContext): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { confirm: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  const id = readIntegrationId(positionals, deleteUsage);
  if (!values.confirm)
    throw new CliError(`--confirm takes the account login the installation is on.\nusage: ${deleteUsage}`, 2);
  const { body } = await callApi<{ id: string; removed: Record<string, number> }>(context, `/api/installations/${id}`, {
    method: 'DELETE',
    body: JSON.stringify({ confirm: values.confirm }),
  });
  if (values.json) {
    context.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
    return 0;
  }
  const rows = Object.values(body.removed).reduce((sum, count) => sum + count, 0);
  context.stdout.write(
    `Removed installation ${id} from Keel (${rows} rows). The app stays installed on GitHub until an owner uninstalls it.\n`,
  );
  return 0;
}
