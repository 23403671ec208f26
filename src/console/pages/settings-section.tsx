/** An integration's services switches, role grants, and the delete and uninstall steps. */
import type { FC } from 'hono/jsx';
import { CsrfField } from './layout.js';
import type { IntegrationDetails } from './view.js';

export const ServicesSection: FC<{ integration: IntegrationDetails; csrfToken: string; canManage: boolean }> = ({
  integration,
  csrfToken,
  canManage,
}) => (
  <section aria-labelledby="services-heading" id="services" class="mb-5">
    <h2 id="services-heading" class="h3 mb-2">
      Services
    </h2>
    <form method="post" action={`/console/integrations/${encodeURIComponent(integration.id)}/services`}>
      <CsrfField token={csrfToken} />
      <fieldset class="keel-fieldset" disabled={!canManage}>
        <legend class="sr-only">Services switched on</legend>
        {integration.services.map((service) => (
          <div class="form-checkbox my-2">
            <label>
              <input
                type="checkbox"
                name={service.id}
                value="on"
                checked={service.on}
                aria-describedby={`svc-${service.id}`}
              />
              {service.title}
              {service.optIn ? <span class="Label ml-1">Opt-in</span> : null}
            </label>
            <p class="note" id={`svc-${service.id}`}>
              {service.description}
            </p>
          </div>
        ))}
        {canManage ? (
          <button type="submit" class="btn">
            Save services
          </button>
        ) : null}
      </fieldset>
    </form>
  </section>
);

export const RolesSection: FC<{ integration: IntegrationDetails; csrfToken: string }> = ({
  integration,
  csrfToken,
}) => (
  <section aria-labelledby="roles-heading" id="roles" class="mb-5">
    <h2 id="roles-heading" class="h3 mb-2">
      Roles
    </h2>
    <p class="color-fg-muted">
      Owners of {integration.account.login} may view, manage and delete; other members may view. Grant a level to a
      GitHub user by login.
    </p>
    <form
      method="post"
      action={`/console/integrations/${encodeURIComponent(integration.id)}/roles`}
      class="d-flex flex-wrap flex-items-end"
    >
      <CsrfField token={csrfToken} />
      <div class="mr-2 mb-2">
        <label for="role-login" class="d-block">
          GitHub login
        </label>
        <input id="role-login" class="form-control" name="login" required autocomplete="off" />
      </div>
      <div class="mr-2 mb-2">
        <label for="role-level" class="d-block">
          Level
        </label>
        <select id="role-level" class="form-select" name="role">
          <option value="view">View</option>
          <option value="manage">View and manage</option>
          <option value="delete">View, manage and delete</option>
        </select>
      </div>
      <button type="submit" class="btn mb-2">
        Grant
      </button>
    </form>
  </section>
);

export const DangerSection: FC<{ integration: IntegrationDetails; csrfToken: string; settingsUrl: string }> = ({
  integration,
  csrfToken,
  settingsUrl,
}) => {
  const base = `/console/integrations/${encodeURIComponent(integration.id)}`;
  const login = integration.account.login;
  return (
    <section aria-labelledby="danger-heading" id="delete" class="Box Box--danger mb-5">
      <div class="Box-header">
        <h2 id="danger-heading" class="Box-title">
          Delete
        </h2>
      </div>
      <form method="post" action={`${base}/delete`} class="Box-row" data-confirm={login}>
        <CsrfField token={csrfToken} />
        <p>
          Deleting removes everything Keel stored for {login}: repositories, reports, deliveries and settings. The app
          stays installed on GitHub until you uninstall it.
        </p>
        <label for="delete-confirm" class="d-block">
          Type <strong>{login}</strong> to confirm
        </label>
        <input id="delete-confirm" class="form-control mb-2" name="confirm" required autocomplete="off" />
        <button type="submit" class="btn btn-danger d-block">
          Delete this integration
        </button>
      </form>
      <form method="post" action={`${base}/uninstall`} class="Box-row">
        <CsrfField token={csrfToken} />
        <p>
          To remove the app from {login} on GitHub, use <a href={settingsUrl}>the installation's settings page</a>{' '}
          (Uninstall), or let Keel do it as a separate step.
        </p>
        <div class="form-checkbox">
          <label>
            <input type="checkbox" name="confirm" value={login} required />
            Uninstall Keel from {login} on GitHub
          </label>
        </div>
        <button type="submit" class="btn btn-danger">
          Uninstall on GitHub
        </button>
      </form>
    </section>
  );
};
