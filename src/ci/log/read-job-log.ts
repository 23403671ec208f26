export interface ReadJobLogOptions {
  /** Longer lines are cut to this many characters; the rest of the line is skipped, never buffered. */
  maxLineLength?: number;
}

export const DEFAULT_MAX_LINE_LENGTH = 4096;
const DECODE_SLICE_BYTES = 16 * 1024;

/**
 * Streams a raw job log as batches of lines (one batch per chunk received), so a 2 GB log never sits
 * in memory: only the current chunk and at most one partial line are held. Multi-byte UTF-8 sequences
 * split across chunks are decoded correctly; \r\n and \n both end a line.
 */
export async function* readJobLog(
  source: AsyncIterable<Uint8Array | string>,
  { maxLineLength = DEFAULT_MAX_LINE_LENGTH }: ReadJobLogOptions = {},
): AsyncGenerator<string[]> {
  const decoder = new TextDecoder('utf-8');
  let carry = '';
  let skipping = false; // inside an over-long line whose head was already kept

  const split = (text: string): string[] => {
    const lines: string[] = [];
    let start = 0;
    for (let newline = text.indexOf('\n'); newline !== -1; newline = text.indexOf('\n', start)) {
      let line: string;
      if (skipping) {
        line = carry;
      } else if (carry.length > 0) {
        line = carry + text.slice(start, Math.min(newline, start + maxLineLength - carry.length));
      } else {
        line = text.slice(start, Math.min(newline, start + maxLineLength));
      }
      lines.push(line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line);
      carry = '';
      skipping = false;
      start = newline + 1;
    }
    if (start < text.length && !skipping) {
      carry += text.slice(start, start + maxLineLength - carry.length);
      skipping = carry.length >= maxLineLength;
    }
    return lines;
  };

  for await (const chunk of source) {
    if (typeof chunk === 'string') {
      const lines = split(decoder.decode() + chunk);
      if (lines.length > 0) yield lines;
      continue;
    }
    // Decoding in slices keeps each string small enough for V8's young generation: a 64 KB chunk
    // would become a large object that only a full garbage collection frees.
    for (let offset = 0; offset < chunk.length; offset += DECODE_SLICE_BYTES) {
      const lines = split(decoder.decode(chunk.subarray(offset, offset + DECODE_SLICE_BYTES), { stream: true }));
      if (lines.length > 0) yield lines;
    }
  }
  const rest = split(decoder.decode());
  if (carry.length > 0) rest.push(carry);
  if (rest.length > 0) yield rest;
}
