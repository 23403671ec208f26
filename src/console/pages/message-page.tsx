/** A page that only says something: waiting for an owner's approval, not found, not allowed, a failure. */
import type { FC } from 'hono/jsx';
import { Layout } from './layout.js';
import type { PageFrame } from './view.js';

export interface MessageView extends PageFrame {
  title: string;
  message: string;
  remedy?: string;
}

export const MessagePage: FC<MessageView> = (view) => (
  <Layout title={view.title} nav={null} user={view.user} assets={view.assets} flash={view.flash}>
    <div class="blankslate">
      <h1 class="blankslate-heading">{view.title}</h1>
      <p>{view.message}</p>
      {view.remedy ? <p>{view.remedy}</p> : null}
      <p>
        <a href="/console">Back to integrations</a>
      </p>
    </div>
  </Layout>
);

export function pendingApprovalView(frame: PageFrame, org: string): MessageView {
  return {
    ...frame,
    title: 'Waiting for approval',
    message: `Waiting for an owner of ${org} to approve the installation.`,
    remedy: `GitHub sent your request to the owners of ${org}. Once one of them approves it, the integration appears here and Keel verifies it.`,
  };
}
