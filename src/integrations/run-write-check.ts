/**
 * Starts "Verify by opening a pull request" and lets it run in the background: the verifier with
 * the opt-in write round trip on one repository of the integration, each step recorded as it
 * starts and ends. Keel's stop waits for a run in progress, so its cleanup step is not cut short.
 */
import { randomUUID } from 'node:crypto';
import { recordAudit } from '../connection/installation-rows.js';
import { planWriteRoundTrip } from '../connection/verify/plan-write-round-trip.js';
import { createVerifier } from '../connection/verify-and-store.js';
import { KeelError } from '../errors.js';
import type { KeelServices } from '../keel.js';
import { finishWriteCheck, readWriteCheck, recordWriteStep, startWriteCheck } from './write-checks.js';

export interface WriteCheckRunnerOptions {
  now?: () => number;
}

export function createWriteCheckRunner(services: KeelServices, { now = Date.now }: WriteCheckRunnerOptions = {}) {
  const { store, log } = services;
  const verify = createVerifier({
    services: { ...services, log: log.child({ name: 'connection' }) },
    githubRetries: 0,
  });
  const running = new Set<Promise<void>>();
  services.onStop(() => Promise.all(running).then(() => undefined));

  async function record(id: string, write: () => Promise<void>): Promise<void> {
    try {
      await write();
    } catch (error) {
      // The round trip goes on (its cleanup must run); the page shows the run's final report.
      log.warn({ err: error, writeCheck: id }, 'Could not record a step of the pull request verification');
    }
  }

  async function run(id: string, installationId: number, repository: string, actor: string): Promise<void> {
    try {
      const report = await verify(installationId, {
        writeCheck: { repo: repository, dryRun: false },
        onWriteStep: (progress) => record(id, () => recordWriteStep(store, id, progress, now())),
      });
      await finishWriteCheck(store, id, { state: report?.state ?? 'uninstalled', checks: report?.checks ?? [] }, now());
      await recordAudit(store, {
        installationId,
        actor,
        action: 'integration.write-check',
        detail: { repository, state: report?.state },
        at: now(),
      });
    } catch (error) {
      log.warn({ err: error, installation: installationId }, 'The pull request verification failed');
      const known = error instanceof KeelError;
      await record(id, () =>
        finishWriteCheck(
          store,
          id,
          {
            state: 'unreachable',
            checks: [],
            error: {
              message: known ? error.message : 'The verification stopped on an unexpected error.',
              remedy: known ? error.remedy : 'See the server log, then try again.',
            },
          },
          now(),
        ),
      );
    }
  }

  return {
    /** Records the run with every step pending and starts it; answers at once with the run's id. */
    async start(installationId: number, repository: string, actor: string): Promise<string> {
      const id = randomUUID();
      const [owner = '', repo = ''] = repository.split('/');
      const planned = planWriteRoundTrip({ owner, repo, at: new Date(now()).toISOString() });
      await startWriteCheck(store, {
        id,
        installationId,
        repository,
        actor,
        planned: planned.map((step) => ({ name: step.name, action: step.action })),
        now: now(),
      });
      const done = run(id, installationId, repository, actor).finally(() => running.delete(done));
      running.add(done);
      return id;
    },

    read: (installationId: number, id: string) => readWriteCheck(store, installationId, id, now()),

    /** Resolves when every run started here has finished (tests, and Keel's stop). */
    idle: () => Promise.all(running).then(() => undefined),
  };
}
