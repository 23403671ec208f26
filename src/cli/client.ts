import { findErrorCode } from '../errors.js';

/** The CLI talks to a running Keel over its JSON API, with KEEL_ADMIN_TOKEN. */
export interface CliContext {
  env: Record<string, string | undefined>;
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export function keelUrl(env: CliContext['env']): string {
  return (env.KEEL_URL ?? `http://localhost:${env.PORT ?? '3000'}`).replace(/\/$/, '');
}

/** The error for a Keel that does not answer, naming the network code and the fix. */
export function unreachable(context: CliContext, error: unknown): CliError {
  const cause = findErrorCode(error) ?? (error instanceof Error ? error.message : String(error));
  return new CliError(
    `Cannot reach Keel at ${keelUrl(context.env)} (${cause}): start it with npm start, or set KEEL_URL.`,
    2,
  );
}

/** Calls the Keel API; throws a CliError with the server's error and remedy on failure. */
export async function callApi<T>(
  context: CliContext,
  path: string,
  init: RequestInit = {},
): Promise<{ status: number; body: T }> {
  const token = context.env.KEEL_ADMIN_TOKEN;
  if (!token) throw new CliError('KEEL_ADMIN_TOKEN is not set: export the token Keel was started with.', 2);
  const url = `${keelUrl(context.env)}${path}`;
  let response: Response;
  try {
    response = await fetch(url, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
    });
  } catch (error) {
    throw unreachable(context, error);
  }
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    // Not JSON: keep the text for the message below.
  }
  if (!response.ok && response.status !== 202) {
    const { error, remedy } = (body ?? {}) as { error?: string; remedy?: string };
    throw new CliError(`${response.status} from Keel: ${error ?? text}${remedy ? `\n  fix: ${remedy}` : ''}`);
  }
  return { status: response.status, body: body as T };
}

/** A plain text table: columns padded to their widest cell. */
export function formatTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}
