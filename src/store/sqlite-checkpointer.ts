/**
 * Copies SQLite's write-ahead log back into the database file from a thread of its own.
 *
 * Why: with SQLite's automatic checkpoints, every thousand pages the commit that crosses the
 * line also copies the log into the database and syncs it, on the event loop, while webhook
 * deliveries wait for their 202. Here a worker thread runs a passive checkpoint every few
 * milliseconds on its own connection, which WAL mode allows beside the writer. The writer keeps an
 * automatic checkpoint at a much higher mark (`BACKSTOP_PAGES`) for the case where this thread
 * cannot keep up, so the log stays bounded either way.
 *
 * The thread's code is plain JavaScript evaluated in the worker, so it runs the same from `src/`
 * under tsx and from `dist/`.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** The writer's own checkpoint mark, in pages (64 MB of 4 kB pages). */
export const BACKSTOP_PAGES = 16_000;

const CHECKPOINT_EVERY_MS = 20;

const THREAD_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const SQLite = require(workerData.driver);
const db = new SQLite(workerData.path);
db.pragma('busy_timeout = 5000');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    parentPort.postMessage({ error: String(error && error.message || error) });
  }
}, workerData.everyMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export interface Checkpointer {
  stop(): Promise<void>;
}

export function startCheckpointer(path: string, onError: (message: string) => void): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(THREAD_SOURCE, {
    eval: true,
    workerData: { path, driver, everyMs: CHECKPOINT_EVERY_MS },
  });
  worker.on('message', (message: { error: string }) => onError(message.error));
  worker.on('error', (error) => onError(error.message));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  // A process that forgets to close its store still exits.
  worker.unref();
  return {
    stop() {
      // Held open until the thread has closed its connection, or the process could exit first.
      worker.ref();
      worker.postMessage('stop');
      return exited;
    },
  };
}
