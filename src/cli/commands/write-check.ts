import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { callApi, CliError, formatTable, type CliContext } from '../client.js';
import type { WriteCheckJson, WriteStepJson } from '../../integrations/write-checks.js';
import { readIntegrationId } from './integration-id.js';

export const writeCheckUsage =
  'keel write-check <installation-id> [REPOSITORY | --run RUN] [--json]  (no repository: list the latest runs)';

/** How often a run in progress is read again. */
const POLL_MS = 500;

function describeStep(step: WriteStepJson): string {
  const text = step.status === 'running' ? step.action : step.finding || step.action;
  const line = `${step.status.padEnd(8)}${step.name}: ${text}\n`;
  return step.remedy && step.status !== 'running' ? `${line}        fix: ${step.remedy}\n` : line;
}

function describeOutcome(run: WriteCheckJson): string {
  switch (run.outcome) {
    case 'passed':
      return `Passed: Keel opened a pull request in ${run.repository}, set a status and commented on it, then closed it and deleted its branch.`;
    case 'failed': {
      const failed = run.steps.filter((step) => step.status === 'fail').map((step) => step.name);
      return `Failed at ${failed.join(', ')} in ${run.repository}: see the fixes above, then run it again.`;
    }
    case 'interrupted':
      return `Interrupted: the Keel process running it stopped before it finished. Run it again: it replaces the keel/connection-check branch in ${run.repository}.`;
    case 'running':
      return 'Still running.';
  }
}

/** Prints each step once per status it reaches, reading the run until it ends. */
async function follow(context: CliContext, first: WriteCheckJson, json: boolean): Promise<number> {
  const path = `/api/installations/${first.integrationId}/write-checks/${encodeURIComponent(first.id)}`;
  const shown = new Map<string, string>();
  let run = first;
  if (!json) context.stdout.write(`Pull request verification ${run.id} in ${run.repository}\n`);
  for (;;) {
    for (const step of run.steps) {
      if (json || step.status === 'pending' || shown.get(step.name) === step.status) continue;
      shown.set(step.name, step.status);
      context.stdout.write(describeStep(step));
    }
    if (!run.running) break;
    await sleep(POLL_MS);
    run = (await callApi<WriteCheckJson>(context, path)).body;
  }
  context.stdout.write(json ? `${JSON.stringify(run, null, 2)}\n` : `${describeOutcome(run)}\n`);
  return run.outcome === 'passed' ? 0 : 1;
}

async function listRuns(context: CliContext, id: string, json: boolean): Promise<number> {
  const { body } = await callApi<WriteCheckJson[]>(context, `/api/installations/${id}/write-checks`);
  if (json) {
    context.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
    return 0;
  }
  if (body.length === 0) {
    context.stdout.write(
      `No pull request verification of installation ${id} yet: start one with keel write-check ${id} REPOSITORY.\n`,
    );
    return 0;
  }
  const rows = body.map((run) => [run.id, run.repository, run.outcome, run.startedAt, run.actor ?? '']);
  context.stdout.write(formatTable(['RUN', 'REPOSITORY', 'OUTCOME', 'STARTED', 'BY'], rows));
  return 0;
}

/**
 * "Verify by opening a pull request" from the command line: starts the round trip in one of the
 * installation's repositories (POST /api/installations/:id/write-checks) and follows its steps as
 * they happen; `--run` follows one already started; with neither, lists the latest runs. Exits 1
 * unless every step passed.
 */
export async function writeCheck(args: string[], context: CliContext): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { run: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  const [idText, repository, ...rest] = positionals;
  if (rest.length > 0) throw new CliError(`usage: ${writeCheckUsage}`, 2);
  const id = readIntegrationId(idText === undefined ? [] : [idText], writeCheckUsage);
  if (values.run !== undefined) {
    if (repository !== undefined)
      throw new CliError('Give a repository to start a run, or --run RUN to follow one; not both.', 2);
    const { body } = await callApi<WriteCheckJson>(
      context,
      `/api/installations/${id}/write-checks/${encodeURIComponent(values.run)}`,
    );
    return follow(context, body, values.json);
  }
  if (repository === undefined) return listRuns(context, id, values.json);
  let fullName = repository;
  if (!repository.includes('/')) {
    // A bare name is one of the installation's account's repositories.
    const { body } = await callApi<{ account: { login: string } }>(context, `/api/installations/${id}`);
    fullName = `${body.account.login}/${repository}`;
  }
  const { body } = await callApi<WriteCheckJson>(context, `/api/installations/${id}/write-checks`, {
    method: 'POST',
    body: JSON.stringify({ repository: fullName }),
  });
  return follow(context, body, values.json);
}
