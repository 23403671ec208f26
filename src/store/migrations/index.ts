import type { Kysely, Migration, MigrationProvider } from 'kysely';
import type { Dialect } from './columns.js';
import * as inbox from './001-inbox.js';
import * as installations from './002-installations.js';

type Up = (db: Kysely<unknown>, dialect: Dialect) => Promise<void>;

/** Every migration, in order. Names are stored in the database: never rename one. */
const MIGRATIONS: [name: string, up: Up][] = [
  ['001-inbox', inbox.up],
  ['002-installations', installations.up],
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
