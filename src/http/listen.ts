/** Listening for HTTP, with the errors an operator can fix (port taken, not allowed) turned into advice. */
import type { Server } from 'node:http';
import type { KeelConfig } from '../config.js';
import { ConfigError } from '../errors.js';

/** Turns the listen errors an operator can fix (port taken, port not allowed) into advice. */
export function describeListenError(error: unknown, config: Pick<KeelConfig, 'port' | 'host'>): unknown {
  const code = (error as { code?: unknown }).code;
  const where = `${config.host ?? 'all interfaces'} port ${config.port}`;
  if (code === 'EADDRINUSE') {
    return new ConfigError(
      `Another process is already listening on ${where}.`,
      `Stop that process (\`ss -ltnp 'sport = :${config.port}'\` names it) or set PORT to a free port.`,
      { cause: error },
    );
  }
  if (code === 'EACCES') {
    return new ConfigError(
      `Keel may not listen on ${where}.`,
      'Use a PORT above 1023, or run behind a reverse proxy.',
      {
        cause: error,
      },
    );
  }
  if (code === 'EADDRNOTAVAIL') {
    return new ConfigError(`HOST ${config.host} is not an address of this machine.`, 'Unset HOST or set it to one.', {
      cause: error,
    });
  }
  return error;
}

export function listenOn(server: Server, config: Pick<KeelConfig, 'port' | 'host'>): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error) => reject(describeListenError(error, config)));
    server.listen(config.port, config.host, () => resolve());
  });
}
