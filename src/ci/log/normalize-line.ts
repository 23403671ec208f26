// Raw job logs prefix each line with `2024-05-01T12:34:56.1234567Z `, may start with a UTF-8 BOM
// and keep the tools' ANSI colours. Everything downstream sees the line as a terminal would show it.

// CSI sequences (colours, cursor moves), OSC sequences (hyperlinks, titles) and two-byte escapes.
// eslint-disable-next-line no-control-regex
const ANSI_PATTERN = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[@-Z\\-_]/g;

const DASH = 45;
const COLON = 58;
const DOT = 46;
const ZERO = 48;
const NINE = 57;
const LETTER_T = 84;
const LETTER_Z = 90;
const SPACE = 32;

/** Where the text after the timestamp starts, or 0 when the line carries none. */
export function findTimestampEnd(line: string): number {
  // Fast path: the runner's own layout, `2024-05-01T12:34:56.1234567Z `.
  if (
    line.charCodeAt(27) === LETTER_Z &&
    line.charCodeAt(19) === DOT &&
    line.charCodeAt(10) === LETTER_T &&
    line.charCodeAt(4) === DASH
  ) {
    return line.charCodeAt(28) === SPACE ? 29 : 28;
  }
  if (
    line.length < 20 ||
    line.charCodeAt(4) !== DASH ||
    line.charCodeAt(7) !== DASH ||
    line.charCodeAt(10) !== LETTER_T ||
    line.charCodeAt(13) !== COLON ||
    line.charCodeAt(16) !== COLON
  ) {
    return 0;
  }
  let at = 19;
  if (line.charCodeAt(at) === DOT) {
    at += 1;
    while (at < line.length && line.charCodeAt(at) >= ZERO && line.charCodeAt(at) <= NINE) at += 1;
  }
  if (line.charCodeAt(at) !== LETTER_Z) return 0;
  at += 1;
  return line.charCodeAt(at) === SPACE ? at + 1 : at;
}

export function stripAnsi(text: string): string {
  return text.indexOf('\u001b') === -1 ? text : text.replace(ANSI_PATTERN, '');
}

/** One raw log line → the text a person reads: no BOM, no timestamp, no colours, no progress redraws. */
export function normalizeLine(raw: string): string {
  let line = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
  const start = findTimestampEnd(line);
  if (start > 0) line = line.slice(start);
  if (line.indexOf('\u001b') !== -1) line = line.replace(ANSI_PATTERN, '');
  // A progress bar redraws itself with \r: keep what the terminal finally showed.
  if (line.indexOf('\r') !== -1) line = keepLastRedraw(line);
  return line;
}

function keepLastRedraw(line: string): string {
  const drawn = line.split('\r').filter((segment) => segment.trim().length > 0);
  return drawn[drawn.length - 1] ?? '';
}
