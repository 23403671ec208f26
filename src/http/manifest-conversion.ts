/**
 * The end of the app-manifest registration: the code GitHub sends the admin back with is traded for
 * the app's id, key and secrets, which go to the .env file (mode 0600).
 */
import type { KeelConfig } from '../config.js';
import { classifyGitHubError, type GitHubError } from '../github/errors.js';
import { updateEnvFile } from './update-env-file.js';

/** What `POST /app-manifests/{code}/conversions` answers; only what Keel keeps or shows. */
export interface Conversion {
  id: number;
  slug: string;
  html_url: string;
  pem: string;
  webhook_secret: string | null;
  client_id: string;
  client_secret: string;
}

export interface ConvertManifestCodeOptions {
  config: Pick<KeelConfig, 'githubApiUrl' | 'githubHost'>;
  fetch: typeof globalThis.fetch;
  code: string;
}

/** The new app's credentials, or why GitHub did not give them (an expired code answers 404). */
export async function convertManifestCode({
  config,
  fetch,
  code,
}: ConvertManifestCodeOptions): Promise<{ app: Conversion } | { error: GitHubError }> {
  const response = await fetch(`${config.githubApiUrl}/app-manifests/${code}/conversions`, {
    method: 'POST',
    headers: { accept: 'application/vnd.github+json', 'user-agent': 'keel' },
  });
  if (!response.ok) {
    return {
      error: classifyGitHubError({ status: response.status, message: await response.text() }, config.githubHost),
    };
  }
  return { app: (await response.json()) as Conversion };
}

/** Writes the app's credentials to the .env file, under the names Keel (and Probot) read. */
export function saveAppCredentials(envPath: string, app: Conversion): void {
  updateEnvFile(envPath, {
    APP_ID: String(app.id),
    PRIVATE_KEY: `"${app.pem.trim().replaceAll('\n', '\\n')}"`,
    WEBHOOK_SECRET: app.webhook_secret ?? '',
    GITHUB_CLIENT_ID: app.client_id,
    GITHUB_CLIENT_SECRET: app.client_secret,
  });
}
