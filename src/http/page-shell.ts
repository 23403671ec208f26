/**
 * The document around Keel's private report pages (pr-checks, ci): one head, a base style they
 * share, and each page's own rules after it. No external assets; readable on a phone.
 */
import { html, raw } from 'hono/html';

type Html = ReturnType<typeof html>;

const BASE_STYLE = `
  :root { color-scheme: light dark; --muted: #6a737d; --fail: #cf222e; --warn: #9a6700; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 16px/1.5 -apple-system, BlinkMacSystemFont, "Segoe UI", Helvetica, Arial, sans-serif; }
  main { max-width: 52rem; margin: 0 auto; padding: 1rem; }
  h1 { font-size: 1.35rem; margin: 0.25rem 0 0.75rem; overflow-wrap: anywhere; }
  h2 { font-size: 1.1rem; margin-top: 2rem; border-bottom: 1px solid #8884; padding-bottom: 0.25rem; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; margin: 0; }
  dt { color: var(--muted); } dd { margin: 0; overflow-wrap: anywhere; }
  code, pre { font: 0.875rem/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
  pre { background: #8881; padding: 0.5rem; overflow-x: auto; white-space: pre-wrap; overflow-wrap: anywhere; }
  .meta { color: var(--muted); font-size: 0.875rem; margin: 0 0 0.5rem; overflow-wrap: anywhere; }
  .summary { font-size: 1.05rem; }
  li { margin: 0.25rem 0; overflow-wrap: anywhere; }
  @media (max-width: 30rem) { dl { grid-template-columns: 1fr; } dt { margin-top: 0.5rem; } }
`;

export interface PageShellOptions {
  title: string;
  /** The page's own CSS rules, added after the base style. */
  style: string;
  /** What goes inside <body>. */
  body: Html;
}

export function renderPageShell({ title, style, body }: PageShellOptions): Html {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>${title}</title>
        <style>
          ${raw(BASE_STYLE + style)}
        </style>
      </head>
      <body>
        ${body}
      </body>
    </html>`;
}
