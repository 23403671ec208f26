/**
 * The `commands` section of `.github/keel.yml`: `commands: false` (or `commands: { enabled:
 * false }`) turns `/keel` commands off for the repository; Keel then ignores them silently.
 */
import { z } from 'zod';

export const CommandsConfigSchema = z
  .union([z.boolean(), z.strictObject({ enabled: z.boolean().default(true) })])
  .transform((value) => (typeof value === 'boolean' ? { enabled: value } : value));

export type CommandsConfig = z.output<typeof CommandsConfigSchema>;
