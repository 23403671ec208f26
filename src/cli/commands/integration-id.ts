import { CliError } from '../client.js';

/** The installation id a command acts on: its one positional argument, digits only. */
export function readIntegrationId(positionals: string[], usage: string): string {
  const [id, ...rest] = positionals;
  if (!id || rest.length > 0) throw new CliError(`usage: ${usage}`, 2);
  if (!/^\d{1,15}$/.test(id))
    throw new CliError(`"${id}" is not an installation id (digits, as keel status lists them).`, 2);
  return id;
}
