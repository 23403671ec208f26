import type { Kysely, Migration, MigrationProvider } from 'kysely';
import type { Dialect } from './columns.js';
import * as inbox from './001-inbox.js';
import * as installations from './002-installations.js';
import * as connection from './003-connection.js';
import * as prChecks from './004-pr-checks.js';
import * as ci from './005-ci.js';
import * as inboxSequence from './006-inbox-sequence.js';
import * as integrations from './007-integrations.js';
import * as inboxConcurrency from './008-inbox-concurrency.js';
import * as consoleTables from './009-console.js';
import * as repair from './010-repair.js';
import * as commands from './011-commands.js';
import * as consoleProgress from './012-console-progress.js';
import * as inboxActiveKeys from './013-inbox-active-keys.js';

type Up = (db: Kysely<unknown>, dialect: Dialect) => Promise<void>;

/** Every migration, in order. Names are stored in the database: never rename one. */
const MIGRATIONS: [name: string, up: Up][] = [
  ['001-inbox', inbox.up],
  ['002-installations', installations.up],
  ['003-connection', connection.up],
  ['004-pr-checks', prChecks.up],
  ['005-ci', ci.up],
  ['006-inbox-sequence', inboxSequence.up],
  ['007-integrations', integrations.up],
  ['008-inbox-concurrency', inboxConcurrency.up],
  ['009-console', consoleTables.up],
  ['010-repair', repair.up],
  ['011-commands', commands.up],
  ['012-console-progress', consoleProgress.up],
  ['013-inbox-active-keys', inboxActiveKeys.up],
];

export function createMigrationProvider(dialect: Dialect): MigrationProvider {
  return {
    async getMigrations(): Promise<Record<string, Migration>> {
      return Object.fromEntries(
        MIGRATIONS.map(([name, up]) => [name, { up: (db: Kysely<unknown>) => up(db, dialect) }]),
      );
    },
  };
}
