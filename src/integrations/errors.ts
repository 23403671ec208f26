/** Errors of the integration actions; each carries the HTTP status the API and console answer with. */
import { KeelError } from '../errors.js';

export class IntegrationActionError extends KeelError {
  constructor(
    code: string,
    message: string,
    remedy: string,
    readonly status: 400 | 404 | 409 | 504,
  ) {
    super(code, message, remedy);
  }
}

export function integrationNotFound(id: string): IntegrationActionError {
  return new IntegrationActionError(
    'INTEGRATION_NOT_FOUND',
    `No integration ${id}.`,
    'List integrations with GET /api/installations (or `keel status`).',
    404,
  );
}

export function deliveryNotFound(id: string): IntegrationActionError {
  return new IntegrationActionError(
    'DELIVERY_NOT_FOUND',
    `No delivery ${id}.`,
    'List deliveries with GET /api/deliveries (or `keel deliveries`).',
    404,
  );
}

export function invalidInput(message: string, remedy: string): IntegrationActionError {
  return new IntegrationActionError('INVALID_INPUT', message, remedy, 400);
}

/** "Verify by opening a pull request" while another run of the same integration is still going. */
export class WriteCheckRunningError extends IntegrationActionError {
  constructor(
    integrationId: string,
    readonly runId: string,
  ) {
    super(
      'WRITE_CHECK_RUNNING',
      `A pull request verification of integration ${integrationId} is already running (${runId}); two at once would replace each other's branch.`,
      `Follow it (GET /api/installations/${integrationId}/write-checks/${runId}, or keel write-check ${integrationId} --run ${runId}) and start another when it ends.`,
      409,
    );
  }
}
