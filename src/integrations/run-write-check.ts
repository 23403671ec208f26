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
import { WriteCheckRunningError } from './errors.js';
import { finishWriteCheck, listWriteChecks, readWriteCheck, recordWriteStep, startWriteCheck } from './write-checks.js';

export interface WriteCheckRunnerOptions {
  now?: () => number;
}

export function createWriteCheckRunner(services: KeelServices, { now = Date.now }: WriteCheckRunnerOptions = {}) {
  const { store, log } = services;
  const verify = createVerifier({
    services: { ...services, log: log.child({ name: 'connection' }) },
    githubRetries: 0,
  });
  const inProgress = new Set<Promise<void>>();
  services.onStop(() => Promise.all(inProgress).then(() => undefined));

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
      await finishWriteCheck(
        store,
        id,
        report
          ? { state: report.state, checks: report.checks }
          : {
              state: 'uninstalled',
              checks: [],
              error: {
                message: 'Keel no longer knows this installation: it was removed while the verification ran.',
                remedy: 'Install the app on the account again, then verify.',
              },
            },
        now(),
      );
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
    /**
     * Records the run with every step pending and starts it; answers at once with the run's id.
     * Throws WriteCheckRunningError while another run of the installation goes on.
     */
    async start(installationId: number, repository: string, actor: string): Promise<string> {
      const id = randomUUID();
      const [owner = '', repo = ''] = repository.split('/');
      const planned = planWriteRoundTrip({ owner, repo, at: new Date(now()).toISOString() });
      const running = await startWriteCheck(store, {
        id,
        installationId,
        repository,
        actor,
        planned: planned.map((step) => ({ name: step.name, action: step.action })),
        now: now(),
      });
      if (running) throw new WriteCheckRunningError(String(installationId), running);
      const done = run(id, installationId, repository, actor).finally(() => inProgress.delete(done));
      inProgress.add(done);
      return id;
    },

    read: (installationId: number, id: string) => readWriteCheck(store, installationId, id, now()),

    list: (installationId: number, limit: number) => listWriteChecks(store, installationId, limit, now()),

    /** Resolves when every run started here has finished (tests, and Keel's stop). */
    idle: () => Promise.all(inProgress).then(() => undefined),
  };
}
