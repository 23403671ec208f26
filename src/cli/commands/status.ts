import { parseArgs } from 'node:util';
import { callApi, formatTable, type CliContext } from '../client.js';

/** The parts of GET /api/installations the CLI shows. */
export interface InstallationView {
  id: number;
  account: { login: string; type: string };
  state: string;
  permissions: { missing: { permission: string; level: string; capabilities: string[] }[] };
  repositories: { selection: string; count: number | null };
  report: null | {
    at: string;
    checks: { name: string; status: string; finding: string; remedy: string }[];
  };
}

export const statusUsage = 'keel status [--json]';

type CheckView = NonNullable<InstallationView['report']>['checks'][number];

/** Why an installation is in its state: its first failing check, else its first warning. */
export function findReason(installation: InstallationView): CheckView | null {
  const checks = installation.report?.checks ?? [];
  return checks.find((check) => check.status === 'fail') ?? checks.find((check) => check.status === 'warn') ?? null;
}

function describeReasons(installations: readonly InstallationView[]): string {
  return installations
    .map((installation) => [installation, findReason(installation)] as const)
    .filter(([, reason]) => reason !== null)
    .map(
      ([installation, reason]) =>
        `${installation.id} ${installation.account.login}: ${reason?.status} ${reason?.name}: ${reason?.finding}\n` +
        (reason?.remedy ? `  fix: ${reason.remedy}\n` : ''),
    )
    .join('');
}

export function describeAccount(installation: InstallationView): string {
  return `${installation.account.login} (${installation.account.type})`;
}

export function describeMissing(installation: InstallationView): string {
  const missing = installation.permissions.missing.map(
    (entry) => `${entry.permission}: ${entry.level} (${entry.capabilities.join(', ')})`,
  );
  return missing.length > 0 ? missing.join('; ') : '-';
}

/** One line after the table: what is wrong, and the next command to run. Exit code 1 when not all are connected. */
export function summarize(
  installations: readonly InstallationView[],
  context: CliContext,
  next = 'run keel verify --installation ID for the checks and remedies',
): number {
  const unhealthy = installations.filter((installation) => installation.state !== 'connected');
  if (installations.length === 0) {
    context.stdout.write('No installations yet: install the app on an account, then run keel verify.\n');
    return 0;
  }
  if (unhealthy.length === 0) {
    context.stdout.write(`All ${installations.length} installations are connected.\n`);
    return 0;
  }
  const listed = unhealthy.map((installation) => `${installation.id} ${installation.state}`).join(', ');
  context.stdout.write(`${unhealthy.length} of ${installations.length} not connected (${listed}): ${next}.\n`);
  return 1;
}

export async function status(args: string[], context: CliContext): Promise<number> {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean', default: false } } });
  const { body } = await callApi<InstallationView[]>(context, '/api/installations');
  const unhealthy = body.some((installation) => installation.state !== 'connected');
  if (values.json) {
    const withReasons = body.map((installation) => ({ ...installation, reason: findReason(installation) }));
    context.stdout.write(`${JSON.stringify(withReasons, null, 2)}\n`);
    return unhealthy ? 1 : 0;
  }
  if (body.length > 0) {
    const rows = body.map((installation) => [
      String(installation.id),
      describeAccount(installation),
      installation.state,
      `${installation.repositories.count ?? '?'} (${installation.repositories.selection})`,
      installation.report?.at ?? 'never',
      describeMissing(installation),
    ]);
    context.stdout.write(
      formatTable(['ID', 'ACCOUNT', 'STATE', 'REPOSITORIES', 'LAST VERIFIED', 'MISSING PERMISSIONS'], rows),
    );
    context.stdout.write(describeReasons(body));
  }
  return summarize(body, context);
}
