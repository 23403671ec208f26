/** `npx keel <command>`: talks to a running Keel at KEEL_URL (default http://localhost:$PORT). */
import { CliError, type CliContext } from './client.js';
import { deleteIntegration, deleteUsage } from './commands/delete.js';
import { deliveries, deliveriesUsage, retry, retryUsage } from './commands/deliveries.js';
import { exclusions, exclusionsUsage } from './commands/exclusions.js';
import { refresh, refreshUsage, update, updateUsage } from './commands/resync.js';
import { send, sendUsage } from './commands/send.js';
import { services, servicesUsage } from './commands/services.js';
import { status, statusUsage } from './commands/status.js';
import { verify, verifyUsage } from './commands/verify.js';
import { writeCheck, writeCheckUsage } from './commands/write-check.js';

type Command = { run: (args: string[], context: CliContext) => Promise<number>; usage: string; summary: string };

const COMMANDS: Record<string, Command> = {
  send: { run: send, usage: sendUsage, summary: 'sign and post a webhook delivery to Keel' },
  deliveries: { run: deliveries, usage: deliveriesUsage, summary: 'list the inbox, newest first' },
  retry: { run: retry, usage: retryUsage, summary: 'requeue a failed or dead delivery' },
  status: { run: status, usage: statusUsage, summary: 'list installations: state, repositories, missing permissions' },
  verify: { run: verify, usage: verifyUsage, summary: 'verify installations now and show the checks with remedies' },
  services: { run: services, usage: servicesUsage, summary: 'show or switch the services of an installation' },
  exclusions: { run: exclusions, usage: exclusionsUsage, summary: 'show or set the repositories Keel leaves alone' },
  refresh: { run: refresh, usage: refreshUsage, summary: 're-read the repositories an installation can see' },
  update: { run: update, usage: updateUsage, summary: 'resync: repositories, verification, missed deliveries' },
  'write-check': {
    run: writeCheck,
    usage: writeCheckUsage,
    summary: 'verify by opening a pull request, following each step as it happens',
  },
  delete: { run: deleteIntegration, usage: deleteUsage, summary: 'remove everything Keel stored for an installation' },
};

function help(): string {
  const lines = Object.entries(COMMANDS).map(
    ([name, command]) => `  ${name.padEnd(12)}${command.summary}\n      ${command.usage}`,
  );
  return `usage: keel <command> [options]\n\n${lines.join('\n')}\n\nEnvironment: KEEL_URL (default http://localhost:$PORT), KEEL_ADMIN_TOKEN, WEBHOOK_SECRET (send).\n`;
}

export async function runCli(argv: string[], context: CliContext): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    context.stdout.write(help());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    context.stderr.write(`keel: unknown command ${name}\n\n${help()}`);
    return 2;
  }
  try {
    return await command.run(args, context);
  } catch (error) {
    if (error instanceof CliError) {
      context.stderr.write(`keel ${name}: ${error.message}\n`);
      return error.exitCode;
    }
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      context.stderr.write(`keel ${name}: ${error.message}\nusage: ${command.usage}\n`);
      return 2;
    }
    throw error;
  }
}
