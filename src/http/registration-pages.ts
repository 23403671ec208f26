/** The pages of the app-manifest registration: plain HTML, no assets, never indexed. */
import type { Context } from 'hono';
import { html } from 'hono/html';

type Html = ReturnType<typeof html>;

export async function sendRegistrationPage(
  c: Context,
  title: string,
  body: Html,
  status: 200 | 400 | 409 | 502 = 200,
): Promise<Response> {
  const text = await html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>${title}</title>
      </head>
      <body style="font-family:system-ui;max-width:42rem;margin:2rem auto;padding:0 1rem">
        ${body}
      </body>
    </html>`;
  return c.html(text, status);
}

export interface RegisterFormInput {
  /** The registration's state, carried by GitHub back to /setup/callback. */
  state: string;
  /** The organization to register on; undefined: the admin's account. */
  org: string | undefined;
  /** The app name shown in the form. */
  name: string;
  /** Where the manifest form posts: GitHub's "new app" page for the account or organization. */
  target: string;
  webhookUrl: string;
  /** GitHub cannot reach the webhook URL (a loopback address): offer a smee.io channel. */
  unreachable: boolean;
  /** The manifest as JSON. */
  manifest: string;
}

/** The body of the registration page: where webhooks go, the account or organization, the app name, the manifest form. */
export function renderRegisterForm({ state, org, name, target, webhookUrl, unreachable, manifest }: RegisterFormInput) {
  return html`<h1>Register Keel with GitHub</h1>
    <p>
      Keel has no <code>APP_ID</code> yet. Register it as a GitHub App from <code>app.yml</code>; GitHub sends you back
      here and Keel writes its credentials to <code>.env</code>,
      <strong>readable only by the user running Keel (mode 0600)</strong>. Then restart Keel and install the app.
    </p>
    <p>GitHub will send webhooks to <code>${webhookUrl}</code>.</p>
    ${
      unreachable
        ? html`<p role="alert" style="border:1px solid #d4a72c;background:#fff8c5;padding:.5rem">
              <strong>GitHub cannot reach ${webhookUrl}</strong>: it is this machine's loopback address, so no delivery
              would arrive. Set <code>KEEL_PUBLIC_URL</code> to an address GitHub reaches and restart, or relay
              deliveries through a smee.io channel (for trying Keel out).
            </p>
            <form method="post" action="/setup/smee">
              <input type="hidden" name="state" value="${state}" />
              <button type="submit">Create a smee.io channel</button>
            </form>`
        : ''
    }
    <form method="get" action="/">
      <p>
        <label>Organization (blank for your account) <input name="org" value="${org ?? ''}" /></label>
      </p>
      <p>
        <label>App name <input name="name" maxlength="34" value="${name}" /></label>
        (names are global on GitHub: pick one nobody has taken)
      </p>
      <button>Use</button>
    </form>
    <form method="post" action="${target}">
      <input type="hidden" name="manifest" value="${manifest}" />
      <p><button type="submit">Register on ${org ? `the ${org} organization` : 'your account'}</button></p>
    </form>`;
}
