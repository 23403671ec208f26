/** `GET /console/integrations/:id`: one integration's verification, permissions, repositories and settings. */
import type { FC } from 'hono/jsx';
import { CheckLabel, CsrfField, DataStatusLabels, Layout, StateLabel, Time, providerName } from './layout.js';
import { PendingUpdateSection } from './pending-update-section.js';
import { PermissionsSection } from './permissions-section.js';
import { RepositoriesSection } from './repositories-section.js';
import { DangerSection, RolesSection, ServicesSection } from './settings-section.js';
import { AuditTable, DeliveriesTable } from './tables.js';
import type { IntegrationDetails, IntegrationView, WriteCheckSummary } from './view.js';

const ActionButton: FC<{ base: string; action: string; label: string; token: string; primary?: boolean }> = (props) => (
  <form method="post" action={`${props.base}/${props.action}`} class="mr-2 mb-2">
    <CsrfField token={props.token} />
    <button type="submit" class={props.primary ? 'btn btn-primary' : 'btn'}>
      {props.label}
    </button>
  </form>
);

const Actions: FC<{ integration: IntegrationDetails; token: string }> = ({ integration, token }) => {
  const base = `/console/integrations/${encodeURIComponent(integration.id)}`;
  return (
    <section aria-labelledby="actions-heading" class="mb-4">
      <h2 id="actions-heading" class="sr-only">
        Actions
      </h2>
      <div class="d-flex flex-wrap">
        <ActionButton base={base} action="test" label="Test connection" token={token} primary />
        <ActionButton base={base} action="update" label="Update" token={token} />
        <ActionButton base={base} action="refresh" label="Refresh repositories" token={token} />
      </div>
      {integration.repositories.list.length > 0 ? (
        <form method="post" action={`${base}/test`} class="d-flex flex-wrap flex-items-end mt-2">
          <CsrfField token={token} />
          <div class="mr-2 mb-2">
            <label for="write-repo" class="d-block">
              Verify by opening a pull request in
            </label>
            <select id="write-repo" class="form-select" name="repository">
              {integration.repositories.list.map((repo) => (
                <option value={repo.fullName}>{repo.fullName}</option>
              ))}
            </select>
          </div>
          <button type="submit" class="btn mb-2">
            Verify by opening a pull request
          </button>
        </form>
      ) : null}
    </section>
  );
};

const WRITE_CHECK_OUTCOMES: Record<WriteCheckSummary['outcome'], { text: string; variant: string }> = {
  running: { text: 'Running', variant: 'accent' },
  passed: { text: 'Passed', variant: 'success' },
  failed: { text: 'Failed', variant: 'danger' },
  interrupted: { text: 'Interrupted', variant: 'attention' },
};

const LatestWriteCheck: FC<{ run: WriteCheckSummary }> = ({ run }) => {
  const outcome = WRITE_CHECK_OUTCOMES[run.outcome];
  return (
    <p class="mt-3" data-latest-write-check={run.outcome}>
      <a href={run.href}>{`Latest pull request verification in ${run.repository}`}</a>
      {', started '}
      <Time at={run.startedAt} />
      {run.actor ? ` by ${run.actor}` : ''}: <span class={`Label Label--${outcome.variant}`}>{outcome.text}</span>
    </p>
  );
};

const Verification: FC<{ integration: IntegrationDetails }> = ({ integration }) => (
  <section aria-labelledby="verification-heading" class="mb-5">
    <h2 id="verification-heading" class="h3 mb-2">
      Latest verification
    </h2>
    {integration.latest === null ? (
      <p>Keel is verifying the connection. This page updates by itself.</p>
    ) : (
      <>
        <p class="color-fg-muted">
          <Time at={integration.latest.at} />
        </p>
        <ul class="Box list-style-none keel-checks">
          {integration.latest.checks.map((check) => (
            <li class="Box-row">
              <div class="d-flex flex-items-center flex-wrap">
                <CheckLabel status={check.status} />
                <strong class="ml-2">{check.name}</strong>
              </div>
              <p class="m-0 mt-1">{check.finding}</p>
              {check.remedy ? <p class="m-0 mt-1">Fix: {check.remedy}</p> : null}
            </li>
          ))}
        </ul>
      </>
    )}
    {integration.latestWriteCheck ? <LatestWriteCheck run={integration.latestWriteCheck} /> : null}
    {integration.history.length > 1 ? (
      <details class="mt-3">
        <summary>{`Last ${integration.history.length} runs`}</summary>
        <ul class="list-style-none mt-2">
          {integration.history.map((run) => (
            <li class="py-1">
              <Time at={run.at} /> <StateLabel state={run.state} /> {run.failed > 0 ? `${run.failed} failed` : ''}{' '}
              {run.warned > 0 ? `${run.warned} warnings` : ''}
            </li>
          ))}
        </ul>
      </details>
    ) : null}
  </section>
);

const Rename: FC<{ integration: IntegrationDetails; token: string }> = ({ integration, token }) => (
  <details class="mb-3">
    <summary>Rename</summary>
    <form
      method="post"
      action={`/console/integrations/${encodeURIComponent(integration.id)}/rename`}
      class="d-flex flex-items-end flex-wrap mt-2"
    >
      <CsrfField token={token} />
      <div class="mr-2">
        <label for="integration-name" class="d-block">
          Name
        </label>
        <input
          id="integration-name"
          class="form-control"
          name="name"
          value={integration.name}
          required
          maxlength={100}
        />
      </div>
      <button type="submit" class="btn">
        Save name
      </button>
    </form>
  </details>
);

export const IntegrationPage: FC<IntegrationView> = (view) => {
  const { integration, user } = view;
  const manage = integration.role !== 'view';
  const remove = integration.role === 'delete';
  return (
    <Layout
      title={integration.name}
      nav="integrations"
      user={user}
      assets={view.assets}
      flash={view.flash}
      refreshSeconds={view.refreshSeconds}
    >
      <nav aria-label="Breadcrumb" class="mb-2">
        <a href="/console">Integrations</a> / {integration.name}
      </nav>
      <div class="Subhead">
        <h1 class="Subhead-heading">{integration.name}</h1>
        <div class="Subhead-description">
          {providerName(integration.provider, integration.host)} · {integration.account.type}{' '}
          {integration.account.login}
          {integration.addedBy ? ` · added by ${integration.addedBy}` : ''} · last updated{' '}
          <Time at={integration.lastUpdatedAt} />
        </div>
      </div>
      <p class="f3 mb-3" aria-live="polite">
        <DataStatusLabels status={integration.status} />
      </p>
      {manage ? <Rename integration={integration} token={user.csrfToken} /> : null}
      {manage ? <Actions integration={integration} token={user.csrfToken} /> : null}
      <Verification integration={integration} />
      {integration.permissions.pendingUpdate ? (
        <PendingUpdateSection update={integration.permissions.pendingUpdate} />
      ) : null}
      <PermissionsSection permissions={integration.permissions} />
      <RepositoriesSection view={view} canManage={manage} />
      <ServicesSection integration={integration} csrfToken={user.csrfToken} canManage={manage} />
      {remove ? <RolesSection integration={integration} csrfToken={user.csrfToken} /> : null}
      <section aria-labelledby="deliveries-heading" class="mb-5">
        <h2 id="deliveries-heading" class="h3 mb-2">
          Deliveries
        </h2>
        <DeliveriesTable
          deliveries={integration.deliveries}
          csrfToken={user.csrfToken}
          canManage={() => manage}
          label="Deliveries of this integration"
        />
        <p class="mt-2">
          <a href={`/console/deliveries?integration=${encodeURIComponent(integration.id)}`}>All its deliveries</a>
        </p>
      </section>
      <section aria-labelledby="audit-heading" class="mb-5">
        <h2 id="audit-heading" class="h3 mb-2">
          Audit log
        </h2>
        <AuditTable entries={integration.audit} label="Audit log of this integration" />
        <p class="mt-2">
          <a href={`/console/audit?integration=${encodeURIComponent(integration.id)}`}>Whole audit log</a>
        </p>
      </section>
      {remove ? (
        <DangerSection
          integration={integration}
          csrfToken={user.csrfToken}
          settingsUrl={integration.permissions.settingsUrl}
        />
      ) : null}
    </Layout>
  );
};
