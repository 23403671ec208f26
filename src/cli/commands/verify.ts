import { parseArgs } from 'node:util';
import { callApi, CliError, formatTable, type CliContext } from '../client.js';
import { describeAccount, summarize, type InstallationView } from './status.js';

export const verifyUsage =
  'keel verify [--installation ID] [--write-check REPO [--write-path FILE] [--no-dry-run]] [--json]';

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

interface AppCheckView {
  ok: boolean;
  checks: { name: string; status: string; finding: string; remedy: string }[];
}

/** With no installation to verify, the app's own credentials still are (POST /api/app/verify). */
async function verifyApp(context: CliContext, json: boolean): Promise<number> {
  const { body } = await callApi<AppCheckView>(context, '/api/app/verify', { method: 'POST' });
  if (json) {
    context.stdout.write(`${JSON.stringify({ app: body, installations: [] }, null, 2)}\n`);
    return body.ok ? 0 : 1;
  }
  for (const check of body.checks) {
    context.stdout.write(`${check.status} ${check.name}: ${check.finding}\n`);
    if (check.remedy) context.stdout.write(`  fix ${check.name}: ${check.remedy}\n`);
  }
  if (!body.ok) {
    context.stdout.write('GitHub does not accept Keel: fix the app credentials above, then run keel verify again.\n');
    return 1;
  }
  context.stdout.write('No installations yet: install the app on an account, then run keel verify.\n');
  return 0;
}

/** Verifies one installation (or every one) now, through POST /api/installations/:id/verify. */
export async function verify(args: string[], context: CliContext): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      installation: { type: 'string' },
      'write-check': { type: 'string' },
      'write-path': { type: 'string' },
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
  if (values['write-path'] && !values['write-check']) {
    throw new CliError('--write-path only applies to --write-check REPO.', 2);
  }
  if (values['no-dry-run'] && !values['write-check']) {
    throw new CliError('--no-dry-run only applies to --write-check REPO.', 2);
  }
  const ids =
    values.installation !== undefined
      ? [Number(values.installation)]
      : (await callApi<InstallationView[]>(context, '/api/installations')).body.map((installation) => installation.id);
  if (ids.length === 0) return verifyApp(context, values.json);
  const body = values['write-check']
    ? {
        writeCheck: {
          repo: values['write-check'],
          dryRun: !values['no-dry-run'],
          ...(values['write-path'] ? { path: values['write-path'] } : {}),
        },
      }
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
