/** The capabilities Keel runs, in the order they are wired in. */
import { ciPlugin } from './ci/plugin.js';
import { commandsPlugin } from './commands/plugin.js';
import { connectionPlugin } from './connection/plugin.js';
import { consolePlugin } from './console/plugin.js';
import type { KeelPlugin } from './keel.js';
import { prChecksPlugin } from './pr-checks/plugin.js';
import { repairPlugin } from './repair/plugin.js';

export function capabilityPlugins(): KeelPlugin[] {
  return [connectionPlugin(), prChecksPlugin(), ciPlugin(), repairPlugin(), commandsPlugin(), consolePlugin()];
}
