import { parseArgs } from 'node:util';
import { callApi, CliError, formatTable, type CliContext } from '../client.js';
import { describeAccount, summarize, type InstallationView } from './status.js';

export const verifyUsage = 'keel verify [--installation ID] [--write-check REPO [--no-dry-run]] [--json]';

function render(installation: InstallationView): string {
  const header = `${installation.id} ${describeAccount(installation)}: ${installation.state}\n`;
  const checks = installation.report?.checks ?? [];
  if (checks.length === 0) return `${header}  not verified yet\n`;
  const table = formatTable(
    ['STATUS', 'CHECK', 'FINDING'],
    checks.map((check) => [check.status, check.name, check.finding]),
  )
    .split('\n')
    .map((line) => (line ? `  ${line}` : line))
    .join('\n');
  const fixes = checks
    .filter((check) => check.remedy)
    .map((check) => `  fix ${check.name}: ${check.remedy}\n`)
    .join('');
  return `${header}${table}${fixes}`;
}

/** Verifies one installation (or every one) now, through POST /api/installations/:id/verify. */
export async function verify(args: string[], context: CliContext): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      installation: { type: 'string' },
      'write-check': { type: 'string' },
      'no-dry-run': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  if (values.installation !== undefined && !/^\d+$/.test(values.installation)) {
    throw new CliError(`--installation takes a numeric installation id, not "${values.installation}".`, 2);
  }
  if (values['write-check'] && values.installation === undefined) {
    throw new CliError('--write-check needs --installation: the round trip runs in one installation.', 2);
  }
  if (values['no-dry-run'] && !values['write-check']) {
    throw new CliError('--no-dry-run only applies to --write-check REPO.', 2);
  }
  const ids =
    values.installation !== undefined
      ? [Number(values.installation)]
      : (await callApi<InstallationView[]>(context, '/api/installations')).body.map((installation) => installation.id);
  const body = values['write-check']
    ? { writeCheck: { repo: values['write-check'], dryRun: !values['no-dry-run'] } }
    : {};
  const verified: InstallationView[] = [];
  for (const id of ids) {
    const { body: installation } = await callApi<InstallationView>(context, `/api/installations/${id}/verify`, {
      method: 'POST',
      body: JSON.stringify(body),
    });
    verified.push(installation);
    if (!values.json) context.stdout.write(`${render(installation)}\n`);
  }
  if (values.json) {
    const output = values.installation !== undefined ? verified[0] : verified;
    context.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
    return verified.some((installation) => installation.state !== 'connected') ? 1 : 0;
  }
  return summarize(verified, context, 'see the remedies above');
}
