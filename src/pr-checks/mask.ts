/** A secret found in a line: `[start, end)` offsets and how many leading characters are public. */
export interface SecretSpan {
  start: number;
  end: number;
  /** Length of a public prefix such as `ghp_` or `AKIA`, shown as is. */
  prefixLength: number;
}

const MAX_EVIDENCE_LENGTH = 160;

/**
 * Masks a secret: keeps its public prefix and, when at least 16 secret characters remain, the
 * last 4 (enough to tell which credential to rotate, too few to use it): `ghp_…a1b2`.
 */
export function maskSecret(value: string, prefixLength = 0): string {
  const prefix = value.slice(0, prefixLength);
  const secret = value.slice(prefixLength);
  return `${prefix}…${secret.length >= 16 ? secret.slice(-4) : ''}`;
}

/** Returns the line with every span masked, trimmed and cut to a readable length around the first. */
export function maskLine(text: string, spans: readonly SecretSpan[]): string {
  const { masked, firstMaskAt } = maskEverySpan(text, spans);
  return clipAround(masked, Math.max(firstMaskAt, 0));
}

/** Returns the text with every span masked and nothing else changed. */
export function maskSpans(text: string, spans: readonly SecretSpan[]): string {
  return maskEverySpan(text, spans).masked;
}

function maskEverySpan(text: string, spans: readonly SecretSpan[]): { masked: string; firstMaskAt: number } {
  const ordered = [...spans].sort((a, b) => a.start - b.start);
  let masked = '';
  let cursor = 0;
  let firstMaskAt = -1;
  for (const span of ordered) {
    if (span.end <= cursor) continue;
    const start = Math.max(span.start, cursor);
    masked += text.slice(cursor, start);
    if (firstMaskAt === -1) firstMaskAt = masked.length;
    // An overlapping span has its prefix already masked: hide all of its remainder.
    masked += maskSecret(text.slice(start, span.end), start === span.start ? span.prefixLength : 0);
    cursor = span.end;
  }
  return { masked: masked + text.slice(cursor), firstMaskAt };
}

function clipAround(text: string, focus: number): string {
  const leading = text.length - text.trimStart().length;
  const trimmed = text.trim();
  if (trimmed.length <= MAX_EVIDENCE_LENGTH) return trimmed;
  const start = Math.max(0, Math.min(focus - leading - 40, trimmed.length - MAX_EVIDENCE_LENGTH));
  const clipped = trimmed.slice(start, start + MAX_EVIDENCE_LENGTH);
  return `${start > 0 ? '…' : ''}${clipped}${start + MAX_EVIDENCE_LENGTH < trimmed.length ? '…' : ''}`;
}
