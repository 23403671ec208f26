/** The capabilities Keel runs, in the order they are wired in. */
import type { KeelPlugin } from './keel.js';

export function capabilityPlugins(): KeelPlugin[] {
  return [];
}
