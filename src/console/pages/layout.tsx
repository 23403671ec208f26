/** The console's frame (head, header, navigation, flash) and the small pieces every page shares. */
import type { Child, FC } from 'hono/jsx';
import type { DataStatus, Flash, PageFrame } from './view.js';

export type NavItem = 'integrations' | 'deliveries' | 'audit' | null;

export interface LayoutProps extends PageFrame {
  title: string;
  nav: NavItem;
  refreshSeconds?: number | null;
  /**
   * With the console's script, update the page's `data-live-region`s in place instead of
   * reloading it (focus and reading position stay); the reload remains for browsers without it.
   */
  liveUpdate?: boolean;
  children?: Child;
}

const NAV: { id: Exclude<NavItem, null>; label: string; href: string }[] = [
  { id: 'integrations', label: 'Integrations', href: '/console' },
  { id: 'deliveries', label: 'Deliveries', href: '/console/deliveries' },
  { id: 'audit', label: 'Audit log', href: '/console/audit' },
];

export const CsrfField: FC<{ token: string }> = ({ token }) => <input type="hidden" name="_csrf" value={token} />;

export const FlashMessage: FC<{ flash: Flash }> = ({ flash }) => (
  <div class={`flash ${flash.kind === 'success' ? 'flash-success' : 'flash-error'} mb-3`} role="status">
    <p class="m-0">{flash.message}</p>
    {flash.remedy ? <p class="m-0 mt-1">Fix: {flash.remedy}</p> : null}
  </div>
);

const Refresh: FC<{ seconds: number; live: boolean }> = ({ seconds, live }) => {
  const meta = <meta http-equiv="refresh" content={String(seconds)} />;
  return live ? <noscript>{meta}</noscript> : meta;
};

export const Layout: FC<LayoutProps> = ({ title, nav, user, assets, flash, refreshSeconds, liveUpdate, children }) => (
  <html lang="en" data-color-mode="light" data-light-theme="light">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <meta name="robots" content="noindex" />
      {refreshSeconds ? <Refresh seconds={refreshSeconds} live={liveUpdate === true} /> : null}
      <title>{`${title} · Keel`}</title>
      <link rel="icon" href="data:," />
      {assets.stylesheets.map((href) => (
        <link rel="stylesheet" href={href} />
      ))}
      <script src={assets.script} defer></script>
    </head>
    <body data-live-update={refreshSeconds && liveUpdate ? String(refreshSeconds) : undefined}>
      <a class="show-on-focus p-2" href="#main">
        Skip to content
      </a>
      <header class="Header keel-header">
        <div class="Header-item">
          <a class="Header-link f4" href="/console">
            Keel
          </a>
        </div>
        <nav class="Header-item Header-item--full keel-nav" aria-label="Console">
          {NAV.map((item) => (
            <a class="Header-link mr-3" href={item.href} aria-current={item.id === nav ? 'page' : undefined}>
              {item.label}
            </a>
          ))}
        </nav>
        <div class="Header-item mr-0">
          <span class="mr-2 keel-user">{user.login}</span>
          <form method="post" action="/logout">
            <CsrfField token={user.csrfToken} />
            <button type="submit" class="btn btn-sm">
              Sign out
            </button>
          </form>
        </div>
      </header>
      <main id="main" class="container-xl px-3 py-4">
        {flash ? <FlashMessage flash={flash} /> : null}
        {children}
      </main>
    </body>
  </html>
);

const STATE_LABELS: Record<string, { text: string; variant: string }> = {
  connected: { text: 'Connected', variant: 'success' },
  degraded: { text: 'Degraded', variant: 'attention' },
  pending: { text: 'Verifying', variant: 'accent' },
  'pending-approval': { text: 'Pending approval', variant: 'accent' },
  suspended: { text: 'Suspended', variant: 'severe' },
  unauthorized: { text: 'Unauthorized', variant: 'danger' },
  unreachable: { text: 'Unreachable', variant: 'danger' },
  uninstalled: { text: 'Uninstalled', variant: 'secondary' },
};

export const StateLabel: FC<{ state: string }> = ({ state }) => {
  const label = STATE_LABELS[state] ?? { text: state, variant: 'secondary' };
  return <span class={`Label Label--${label.variant}`}>{label.text}</span>;
};

/** The connection state, plus "processing" while deliveries wait and "rate limited" under 10%. */
export const DataStatusLabels: FC<{ status: DataStatus }> = ({ status }) => (
  <span class="d-inline-flex flex-wrap keel-labels">
    <StateLabel state={status.state} />
    {status.processing > 0 ? (
      <span class="Label Label--accent" title={`${status.processing} deliveries queued or running`}>
        Processing
      </span>
    ) : null}
    {status.rateLimited ? <span class="Label Label--attention">Rate limited</span> : null}
  </span>
);

const CHECK_LABELS: Record<string, { text: string; variant: string }> = {
  pass: { text: 'Pass', variant: 'success' },
  warn: { text: 'Warning', variant: 'attention' },
  fail: { text: 'Failed', variant: 'danger' },
  skip: { text: 'Skipped', variant: 'secondary' },
};

export const CheckLabel: FC<{ status: string }> = ({ status }) => {
  const label = CHECK_LABELS[status] ?? { text: status, variant: 'secondary' };
  return <span class={`Label Label--${label.variant}`}>{label.text}</span>;
};

export function formatTime(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export const Time: FC<{ at: number | null; never?: string }> = ({ at, never = 'never' }) =>
  at === null ? (
    <span class="color-fg-muted">{never}</span>
  ) : (
    <time datetime={new Date(at).toISOString()}>{formatTime(at)}</time>
  );

export function providerName(provider: string, host: string): string {
  return provider === 'github-enterprise' ? `GitHub Enterprise Server (${host})` : 'GitHub';
}

/** A query string from the non-empty values, for links that keep the page's filters. */
export function toQuery(values: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) if (value) params.set(key, value);
  const text = params.toString();
  return text ? `?${text}` : '';
}
