export interface BackoffOptions {
  baseMs?: number;
  maxMs?: number;
  /** Returns a number in [0, 1); injectable for tests. */
  random?: () => number;
}

/**
 * Delay before retry number `attempt` (1 = first retry): exponential with "equal jitter", so
 * retries from many deliveries spread out yet never come sooner than half the exponential step.
 */
export function computeBackoff(
  attempt: number,
  { baseMs = 1_000, maxMs = 10 * 60_000, random = Math.random }: BackoffOptions = {},
): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  const half = exponential / 2;
  return Math.round(half + random() * half);
}
