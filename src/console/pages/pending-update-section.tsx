/**
 * The pending permission update: what the app asks for beyond what the installation accepted,
 * as the latest verification found it, and the link where an owner accepts it on GitHub.
 */
import type { FC } from 'hono/jsx';
import type { PendingUpdateView } from './view.js';

export const PendingUpdateSection: FC<{ update: PendingUpdateView }> = ({ update }) => (
  <section aria-labelledby="pending-update-heading" class="Box mb-5">
    <div class="Box-header">
      <h2 id="pending-update-heading" class="Box-title">
        Pending permission update
      </h2>
    </div>
    <div class="Box-row">
      <p class="m-0 mb-2">
        Keel asks for more than this installation accepted. Until an owner of the account accepts the update on GitHub,
        what needs it stays off; members cannot accept it.
      </p>
      <ul class="ml-3 mb-2">
        {update.permissions.map((entry) => (
          <li>
            <code>{entry.permission}</code>: {entry.level}
            {entry.capabilities.length > 0 ? ` (for ${entry.capabilities.join(', ')})` : ''}
          </li>
        ))}
        {update.events.map((event) => (
          <li>
            event <code>{event}</code>
          </li>
        ))}
      </ul>
      <a class="btn btn-primary" href={update.acceptUrl}>
        Review and accept on GitHub
      </a>
    </div>
  </section>
);
