/**
 * Reading webhook bodies before anyone knows they come from GitHub. Every byte held is counted
 * against one budget shared by all such requests, so slow or large unsigned requests cannot hold
 * more memory than the budget, however many arrive.
 */
import type { IncomingMessage } from 'node:http';

export interface BodyBudget {
  /** Takes `bytes` from the budget; false (and nothing taken) if they do not fit. */
  take(bytes: number): boolean;
  give(bytes: number): void;
  /** Bytes held right now. */
  held(): number;
}

export function createBodyBudget(capacity: number): BodyBudget {
  let held = 0;
  return {
    take(bytes) {
      if (held + bytes > capacity) return false;
      held += bytes;
      return true;
    },
    give(bytes) {
      held -= bytes;
    },
    held: () => held,
  };
}

/** The request ended before its body did: the client went away, or took longer than allowed. */
export class RequestAbortedError extends Error {
  readonly reason: 'timeout' | 'aborted';

  constructor(reason: 'timeout' | 'aborted', options?: { cause?: unknown }) {
    super(reason === 'timeout' ? 'The request took too long to arrive.' : 'The client closed the request.', options);
    this.name = 'RequestAbortedError';
    this.reason = reason;
  }
}

function abortReason(req: IncomingMessage): 'timeout' | 'aborted' {
  // Node's requestTimeout destroys the socket with this code (and answers 408 itself).
  const errored = (req.socket as { errored?: { code?: string } | null } | null)?.errored;
  return errored?.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'timeout' : 'aborted';
}

export type BodyResult = Buffer | 'too-large' | 'busy';

/**
 * Reads the body, giving up (and buffering nothing more) as soon as it passes `limit` bytes or
 * the budget runs out. What it held goes back to the budget once the body is complete or dropped.
 */
export function readBody(req: IncomingMessage, limit: number, budget: BodyBudget): Promise<BodyResult> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      budget.give(size);
      req.off('data', onData);
      outcome();
    };
    const stopReading = (result: 'too-large' | 'busy') =>
      settle(() => {
        chunks.length = 0;
        // Drain what is still coming without keeping it; the request timeout bounds how long.
        req.resume();
        resolve(result);
      });
    function onData(chunk: Buffer) {
      if (size + chunk.length > limit) return stopReading('too-large');
      if (!budget.take(chunk.length)) return stopReading('busy');
      size += chunk.length;
      chunks.push(chunk);
    }
    req.on('data', onData);
    req.on('end', () => settle(() => resolve(Buffer.concat(chunks, size))));
    req.on('error', (error) => settle(() => reject(new RequestAbortedError(abortReason(req), { cause: error }))));
    req.on('close', () => {
      if (!req.complete) settle(() => reject(new RequestAbortedError(abortReason(req))));
    });
  });
}
