/** An integration's permissions review: required, granted, missing and extra, with what each serves. */
import type { FC } from 'hono/jsx';
import type { PermissionRow, PermissionsView } from './view.js';

const STATUS_LABELS: Record<PermissionRow['status'], { text: string; variant: string }> = {
  granted: { text: 'Granted', variant: 'success' },
  missing: { text: 'Missing', variant: 'danger' },
  extra: { text: 'Extra', variant: 'secondary' },
  'opt-in': { text: 'Opt-in', variant: 'accent' },
};

function consequence(row: PermissionRow): string {
  if (row.status === 'missing') return `Off without it: ${row.capabilities.join(', ') || 'nothing'}`;
  if (row.status === 'opt-in') return `Grant it to allow: ${row.capabilities.join(', ')}`;
  if (row.status === 'extra') return 'Keel does not use it; you may remove it';
  return row.capabilities.join(', ');
}

export const PermissionsSection: FC<{ permissions: PermissionsView }> = ({ permissions }) => {
  const missing = permissions.rows.filter((row) => row.status === 'missing');
  return (
    <section aria-labelledby="permissions-heading" class="mb-5">
      <h2 id="permissions-heading" class="h3 mb-2">
        Permissions review
      </h2>
      {missing.length > 0 ? (
        <div class="flash flash-warn mb-2">
          {`${missing.length} permission${missing.length === 1 ? '' : 's'} missing: `}
          {missing
            .map((row) => `${row.permission} (${row.required ?? ''}) — ${row.capabilities.join(', ')} off`)
            .join('; ')}
          .
        </div>
      ) : null}
      <div class="keel-scroll" tabindex={0} role="region" aria-label="Permissions">
        <table class="keel-table">
          <thead>
            <tr>
              <th scope="col">Permission</th>
              <th scope="col">Required</th>
              <th scope="col">Granted</th>
              <th scope="col">Review</th>
              <th scope="col">Serves</th>
            </tr>
          </thead>
          <tbody>
            {permissions.rows.map((row) => {
              const label = STATUS_LABELS[row.status];
              return (
                <tr>
                  <th scope="row">
                    <code>{row.permission}</code>
                  </th>
                  <td>{row.required ?? '–'}</td>
                  <td>{row.granted ?? 'none'}</td>
                  <td>
                    <span class={`Label Label--${label.variant}`}>{label.text}</span>
                  </td>
                  <td>{consequence(row)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <p class="mt-2">
        Events: {permissions.events.granted.length === 0 ? 'none' : permissions.events.granted.join(', ')}
        {permissions.events.missing.length > 0
          ? `. Missing: ${permissions.events.missing.map((m) => `${m.event} (${m.capabilities.join(', ')})`).join(', ')}`
          : ''}
        .
      </p>
      <p>
        <a href={permissions.settingsUrl}>Change permissions and repositories on GitHub</a>
      </p>
    </section>
  );
};
