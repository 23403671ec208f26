/**
 * The console's static assets, served by Keel itself (no CDN): Primer's built CSS from
 * node_modules, Keel's few rules on top, and one progressive-enhancement script. URLs carry a
 * content hash, so they are cached for a year; pages get a CSP that allows only these.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import { Hono } from 'hono';
import type { PageAssets } from './pages/view.js';

const CONSOLE_CSS = `/* Keel's few rules on top of Primer: tables, narrow screens, focus on scrollable regions. */
/* Components Primer CSS 22 no longer ships (Label, flash, Box, Subhead, blankslate), on its variables. */
.Label {
  display: inline-block;
  padding: 0 7px;
  font-size: 12px;
  font-weight: 500;
  line-height: 18px;
  white-space: nowrap;
  border: 1px solid var(--borderColor-default);
  border-radius: 2em;
  color: var(--fgColor-muted);
}
.Label--success { color: var(--fgColor-success); border-color: var(--borderColor-success-emphasis); }
.Label--danger { color: var(--fgColor-danger); border-color: var(--borderColor-danger-emphasis); }
.Label--attention { color: var(--fgColor-attention); border-color: var(--borderColor-attention-emphasis); }
.Label--accent { color: var(--fgColor-accent); border-color: var(--borderColor-accent-emphasis); }
.Label--severe { color: var(--fgColor-severe); border-color: var(--borderColor-severe-emphasis); }
.f3 .Label { font-size: 14px; padding: 2px 10px; line-height: 20px; }
.flash {
  padding: 12px 16px;
  border: 1px solid var(--borderColor-accent-muted);
  border-radius: 6px;
  background: var(--bgColor-accent-muted);
  color: var(--fgColor-default);
}
.flash-success { background: var(--bgColor-success-muted); border-color: var(--borderColor-success-muted); }
.flash-error { background: var(--bgColor-danger-muted); border-color: var(--borderColor-danger-muted); }
.flash-warn { background: var(--bgColor-attention-muted); border-color: var(--borderColor-attention-muted); }
.Box { background: var(--bgColor-default); border: 1px solid var(--borderColor-default); border-radius: 6px; }
.Box--danger { border-color: var(--borderColor-danger-emphasis); }
.Box-header {
  padding: 12px 16px;
  background: var(--bgColor-muted);
  border-bottom: 1px solid var(--borderColor-default);
  border-radius: 6px 6px 0 0;
}
.Box--danger .Box-header { background: var(--bgColor-danger-muted); border-color: var(--borderColor-danger-emphasis); }
.Box-title { margin: 0; font-size: 14px; font-weight: 600; }
.Box-row { padding: 12px 16px; border-top: 1px solid var(--borderColor-muted); list-style: none; }
.Box-row:first-child, .Box-header + .Box-row { border-top: 0; }
.Subhead {
  display: flex;
  flex-flow: row wrap;
  justify-content: space-between;
  margin-bottom: 16px;
  padding-bottom: 8px;
  border-bottom: 1px solid var(--borderColor-muted);
}
.Subhead-heading { flex: 1 1 auto; margin: 0; font-size: 24px; font-weight: 400; }
.Subhead-actions { align-self: center; margin: 4px 0; }
.Subhead-description { flex: 1 100%; color: var(--fgColor-muted); font-size: 14px; overflow-wrap: anywhere; }
.blankslate { padding: 32px; text-align: center; border: 1px dashed var(--borderColor-default); border-radius: 6px; }
.blankslate-heading { font-size: 20px; margin-bottom: 8px; }
.keel-wrap { white-space: normal; max-width: 100%; height: auto; text-align: left; }
.keel-payload { white-space: pre-wrap; overflow-wrap: anywhere; border-radius: 6px; }
.keel-checks .Box-row strong { font-family: var(--fontStack-monospace, monospace); font-weight: 600; }
main p, main li, .flash { overflow-wrap: anywhere; }
.keel-scroll { overflow-x: auto; position: relative; }
.keel-scroll:focus-visible { outline: 2px solid var(--focus-outlineColor, #0969da); outline-offset: 2px; }
.keel-table { width: 100%; border-collapse: collapse; }
.keel-table th, .keel-table td {
  padding: 8px;
  border-bottom: 1px solid var(--borderColor-default, #d1d9e0);
  text-align: left;
  vertical-align: top;
}
.keel-table thead th { background: var(--bgColor-muted, #f6f8fa); white-space: nowrap; }
.keel-table tbody th { font-weight: 600; }
.keel-error { max-width: 28rem; overflow-wrap: anywhere; }
.keel-labels { gap: 4px; }
.keel-actions form { display: inline; }
.keel-rules { width: 100%; max-width: 40rem; font-family: var(--fontStack-monospace, monospace); }
.keel-fieldset { border: 0; padding: 0; margin: 0; min-width: 0; }
.keel-repos { max-height: 24rem; overflow-y: auto; }
.keel-header { flex-wrap: wrap; }
.keel-header .Header-link { text-decoration: underline; text-underline-offset: 3px; }
.keel-header .Header-link[aria-current='page'] { text-decoration-thickness: 3px; }
.keel-header .Header-item form { display: inline; }
.keel-user { overflow-wrap: anywhere; }
@media (max-width: 600px) {
  .keel-nav { order: 3; width: 100%; margin-top: 8px; }
  .Subhead { flex-direction: column; }
  .Subhead-actions { align-self: flex-start; }
}`;

const CONSOLE_JS = `// Progressive enhancement only: every page works without it.
// The Delete button stays disabled until the account name typed matches (the server checks too).
for (const form of document.querySelectorAll('form[data-confirm]')) {
  const input = form.querySelector('input[name="confirm"]');
  const button = form.querySelector('button[type="submit"]');
  if (!input || !button) continue;
  const sync = () => {
    button.disabled = input.value.trim() !== form.dataset.confirm;
  };
  input.addEventListener('input', sync);
  sync();
}
// A page that goes on changing (data-live-update: seconds) is read again in the background and
// its data-live-region elements replaced in place, so focus and reading position stay; without
// this script such a page reloads itself (a meta refresh inside noscript).
const liveSeconds = Number(document.body.dataset.liveUpdate);
if (liveSeconds > 0) {
  const schedule = () => setTimeout(update, liveSeconds * 1000);
  const update = async () => {
    try {
      const response = await fetch(location.href, { credentials: 'same-origin', headers: { accept: 'text/html' } });
      if (!response.ok) return schedule();
      const next = new DOMParser().parseFromString(await response.text(), 'text/html');
      for (const region of document.querySelectorAll('[data-live-region]')) {
        const fresh = next.getElementById(region.id);
        if (fresh && fresh.innerHTML !== region.innerHTML) region.innerHTML = fresh.innerHTML;
      }
      if (next.body.dataset.liveUpdate) schedule();
    } catch {
      schedule();
    }
  };
  schedule();
}`;

interface Asset {
  path: string;
  type: string;
  body: Buffer;
  gzipped: Buffer;
}

function toAsset(name: string, extension: string, type: string, body: Buffer): Asset {
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 16);
  return { path: `/console/assets/${name}-${hash}.${extension}`, type, body, gzipped: gzipSync(body) };
}

export interface ConsoleAssets {
  urls: PageAssets;
  routes: Hono;
}

/** Reads and hashes the assets once; `routes` serves them under /console/assets/. */
export function loadConsoleAssets(): ConsoleAssets {
  const primerPath = createRequire(import.meta.url).resolve('@primer/css/dist/primer.css');
  const primer = toAsset('primer', 'css', 'text/css; charset=utf-8', readFileSync(primerPath));
  const style = toAsset('console', 'css', 'text/css; charset=utf-8', Buffer.from(CONSOLE_CSS));
  const script = toAsset('console', 'js', 'text/javascript; charset=utf-8', Buffer.from(CONSOLE_JS));
  const byPath = new Map([primer, style, script].map((asset) => [asset.path, asset]));
  const routes = new Hono();
  routes.get('/console/assets/:file', (c) => {
    const asset = byPath.get(c.req.path);
    if (!asset) return c.notFound();
    const gzip = /\bgzip\b/.test(c.req.header('accept-encoding') ?? '');
    c.header('content-type', asset.type);
    c.header('cache-control', 'public, max-age=31536000, immutable');
    c.header('x-content-type-options', 'nosniff');
    c.header('vary', 'accept-encoding');
    if (gzip) c.header('content-encoding', 'gzip');
    return c.body(new Uint8Array(gzip ? asset.gzipped : asset.body));
  });
  return { urls: { stylesheets: [primer.path, style.path], script: script.path }, routes };
}

/** Only Keel's own scripts, styles and forms; no inline script, no framing, no referrer off-site. */
export const CONSOLE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: https://avatars.githubusercontent.com; " +
  "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; connect-src 'self'";

/** Headers of every console page and post answer: never cached, never framed, no referrer off-site. */
export const CONSOLE_PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONSOLE_CSP,
  'cache-control': 'private, no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
  'x-robots-tag': 'noindex',
};
