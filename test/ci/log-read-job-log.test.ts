import { describe, expect, it } from 'vitest';
import { readJobLog } from '../../src/ci/log/read-job-log.js';

async function* chunksOf(...chunks: (Uint8Array | string)[]): AsyncGenerator<Uint8Array | string> {
  yield* chunks;
}

async function collect(source: AsyncIterable<Uint8Array | string>, maxLineLength?: number): Promise<string[]> {
  const lines: string[] = [];
  for await (const batch of readJobLog(source, { maxLineLength })) lines.push(...batch);
  return lines;
}

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('readJobLog', () => {
  it('joins a line split across chunks', async () => {
    expect(await collect(chunksOf(bytes('first li'), bytes('ne\nsecond\n')))).toEqual(['first line', 'second']);
  });

  it('decodes a multi-byte character split across chunks', async () => {
    const encoded = bytes('✓ passes\n');
    expect(await collect(chunksOf(encoded.slice(0, 1), encoded.slice(1, 2), encoded.slice(2)))).toEqual(['✓ passes']);
  });

  it('decodes a large chunk whose multi-byte characters straddle internal slice boundaries', async () => {
    const line = `${'a'.repeat(16_383)}✓${'b'.repeat(30_000)}✓`;
    expect(await collect(chunksOf(bytes(`${line}\nend\n`)), 100_000)).toEqual([line, 'end']);
  });

  it('ends lines on \\r\\n as well as \\n', async () => {
    expect(await collect(chunksOf('a\r\nb\n'))).toEqual(['a', 'b']);
  });

  it('emits a last line that has no newline', async () => {
    expect(await collect(chunksOf(bytes('a\nlast')))).toEqual(['a', 'last']);
  });

  it('cuts an over-long line and skips the rest of it without buffering it', async () => {
    const long = 'x'.repeat(50);
    const lines = await collect(chunksOf(long.slice(0, 20), long.slice(20), '\nnext\n'), 8);
    expect(lines).toEqual(['xxxxxxxx', 'next']);
  });

  it('cuts an over-long line that arrives inside a single chunk', async () => {
    expect(await collect(chunksOf(`${'y'.repeat(30)}\nok\n`), 10)).toEqual(['y'.repeat(10), 'ok']);
  });

  it('accepts string chunks as well as bytes', async () => {
    expect(await collect(chunksOf('one\ntw', bytes('o\n')))).toEqual(['one', 'two']);
  });
});
