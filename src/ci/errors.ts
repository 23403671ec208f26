/** Errors of the CI capability, each with the sentence that fixes it. */
import { KeelError } from '../errors.js';

/**
 * Another worker is creating the same comment or issue right now. Thrown so the inbox retries the
 * delivery a little later, when the comment or issue exists and can be edited instead.
 */
export class CiReportBusyError extends KeelError {
  constructor(what: string) {
    super(
      'CI_REPORT_BUSY',
      `Another delivery is creating ${what} right now.`,
      'Nothing to do: Keel retries this delivery shortly and edits what the other one created.',
    );
  }
}

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
