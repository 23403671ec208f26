/** Errors of the CI capability, each with the sentence that fixes it. */
import { KeelError } from '../errors.js';

/** Re-running jobs needs `actions: write`, which the opt-in `rerun` capability asks for. */
export class RerunNotGrantedError extends KeelError {
  readonly permission = 'actions';
  readonly level = 'write';
  readonly capability = 'rerun';

  constructor(installationId: number, granted: string | undefined) {
    super(
      'RERUN_NOT_GRANTED',
      `Re-running failed jobs needs actions: write, which installation ${installationId} has ${
        granted ? `only at actions: ${granted}` : 'not granted'
      }. It belongs to the opt-in rerun capability.`,
      'To turn on rerun, a Keel admin adds "Actions: Read and write" to the GitHub App (Settings → Developer settings → GitHub Apps → Keel → Permissions & events), then an organization owner accepts the new permission under Settings → GitHub Apps → Keel (Review request).',
    );
  }
}
