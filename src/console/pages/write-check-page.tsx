/**
 * `GET /console/integrations/:id/write-checks/:run`: "Verify by opening a pull request" as it
 * happens. Each step shows done, running or pending; the page reloads itself while the run goes
 * on (a meta refresh, no JavaScript needed), then shows the outcome.
 */
import type { FC } from 'hono/jsx';
import type { WriteCheckJson, WriteStepStatus } from '../../integrations/write-checks.js';
import { Layout, StateLabel } from './layout.js';
import type { PageFrame } from './view.js';

export interface WriteCheckView extends PageFrame {
  integration: { id: string; name: string };
  run: WriteCheckJson;
  /** Seconds between reloads while the run goes on. */
  refreshSeconds: number;
}

const STEP_LABELS: Record<WriteStepStatus, { text: string; variant: string }> = {
  pending: { text: 'Pending', variant: 'secondary' },
  running: { text: 'Running', variant: 'accent' },
  pass: { text: 'Done', variant: 'success' },
  warn: { text: 'Warning', variant: 'attention' },
  fail: { text: 'Failed', variant: 'danger' },
  skip: { text: 'Skipped', variant: 'secondary' },
};

function outcome(run: WriteCheckJson): { kind: 'success' | 'error'; text: string } {
  if (run.state === 'interrupted') {
    return {
      kind: 'error',
      text: `The run in ${run.repository} stopped with Keel's process before it finished. If a draft pull request from keel/connection-check is still open there, run the verification again: it replaces that branch, and GitHub closes the pull request with it.`,
    };
  }
  const failed = run.steps.filter((step) => step.status === 'fail');
  if (failed.length === 0) {
    return {
      kind: 'success',
      text: `Keel opened a pull request in ${run.repository}, set a status and commented on it, then closed it and deleted its branch: it can write there.`,
    };
  }
  return {
    kind: 'error',
    text: `The round trip in ${run.repository} failed at ${failed.map((step) => step.name).join(', ')}. Each step's finding and fix is below.`,
  };
}

/** What a screen reader hears as the run goes on: the step running now, or the one last done. */
function describeCurrentStep(run: WriteCheckJson): string {
  if (!run.running) return '';
  const current =
    run.steps.find((step) => step.status === 'running') ?? run.steps.filter((step) => step.status !== 'pending').at(-1);
  return current ? `Step ${current.name}: ${STEP_LABELS[current.status].text.toLowerCase()}.` : '';
}

export const WriteCheckPage: FC<WriteCheckView> = ({ integration, run, refreshSeconds, ...frame }) => {
  const base = `/console/integrations/${encodeURIComponent(integration.id)}`;
  const result = run.running ? null : outcome(run);
  return (
    <Layout
      title={`Pull request verification · ${integration.name}`}
      nav="integrations"
      user={frame.user}
      assets={frame.assets}
      flash={frame.flash ?? null}
      refreshSeconds={run.running ? refreshSeconds : null}
      liveUpdate
    >
      <nav aria-label="Breadcrumb" class="mb-2">
        <a href="/console">Integrations</a> / <a href={base}>{integration.name}</a> / Pull request verification
      </nav>
      <div class="Subhead">
        <h1 class="Subhead-heading">{`Verify by opening a pull request in ${run.repository}`}</h1>
        <div class="Subhead-description">
          {`Started ${run.startedAt.slice(0, 16).replace('T', ' ')} UTC`}
          {run.actor ? ` by ${run.actor}` : ''}
        </div>
      </div>
      <p id="write-check-now" class="sr-only" aria-live="polite" data-live-region>
        {describeCurrentStep(run)}
      </p>
      <div id="write-check-outcome" aria-live="polite" data-live-region>
        {result ? (
          <>
            <div class={`flash ${result.kind === 'success' ? 'flash-success' : 'flash-error'} mb-2`} role="status">
              <p class="m-0">{result.text}</p>
            </div>
            {run.state === 'interrupted' ? null : (
              // On the page's own background: a state label on the flash's colour lacks contrast.
              <p class="mb-3">
                Connection: <StateLabel state={run.state} />
              </p>
            )}
          </>
        ) : (
          <p class="mb-3">{`Running: this page updates every ${refreshSeconds} seconds until every step is done.`}</p>
        )}
      </div>
      <ol id="write-check-steps" class="Box list-style-none keel-checks" aria-label="Steps" data-live-region>
        {run.steps.map((step) => {
          const label = STEP_LABELS[step.status];
          return (
            <li class="Box-row" data-step={step.name} data-status={step.status}>
              <div class="d-flex flex-items-center flex-wrap">
                <span class={`Label Label--${label.variant}`}>{label.text}</span>
                <strong class="ml-2">{step.name}</strong>
              </div>
              <p class="m-0 mt-1">{step.finding || `Keel will ${step.action}.`}</p>
              {step.remedy ? <p class="m-0 mt-1">Fix: {step.remedy}</p> : null}
            </li>
          );
        })}
      </ol>
      <p class="mt-3">
        <a href={base}>Back to {integration.name}</a>
      </p>
    </Layout>
  );
};
