/**
 * A TCP proxy in front of Postgres that can be partitioned: while it is, bytes in either
 * direction are dropped and sockets stay open, as when a network path silently fails.
 */
import { createServer, connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface PartitionableProxy {
  /** `target` with its host and port replaced by the proxy's. */
  url: string;
  partition(): void;
  heal(): void;
  close(): Promise<void>;
}

export async function startPartitionableProxy(target: string): Promise<PartitionableProxy> {
  const upstream = new URL(target);
  let partitioned = false;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const server = connect(Number(upstream.port || 5432), upstream.hostname);
    for (const [from, to] of [
      [client, server],
      [server, client],
    ] as const) {
      sockets.add(from);
      from.on('data', (chunk) => {
        if (!partitioned) to.write(chunk);
      });
      from.on('error', () => to.destroy());
      from.on('close', () => {
        sockets.delete(from);
        to.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(target);
  url.hostname = '127.0.0.1';
  url.port = String((server.address() as AddressInfo).port);
  return {
    url: url.toString(),
    partition: () => void (partitioned = true),
    heal: () => void (partitioned = false),
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
