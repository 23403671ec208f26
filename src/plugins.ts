/** The capabilities Keel runs, in the order they are wired in. */
import { ciPlugin } from './ci/plugin.js';
import { connectionPlugin } from './connection/plugin.js';
import type { KeelPlugin } from './keel.js';
import { prChecksPlugin } from './pr-checks/plugin.js';

export function capabilityPlugins(): KeelPlugin[] {
  return [connectionPlugin(), prChecksPlugin(), ciPlugin()];
}
