/**
 * The manifest of GitHub's app-manifest registration: Keel's app.yml with this server's addresses
 * (webhook, redirect, sign-in callback, setup) and the admin's app name filled in.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { KeelConfig } from '../config.js';

export type Manifest = Record<string, unknown> & { hook_attributes?: Record<string, unknown> };

export type ManifestConfig = Pick<KeelConfig, 'publicUrl' | 'webhookProxyUrl' | 'webhookPath'>;

/** Keel's app.yml, found beside package.json wherever Keel is started from. */
const APP_YML = new URL('../../app.yml', import.meta.url);

export function readManifest(path: string | URL = APP_YML): Manifest {
  return parse(readFileSync(path, 'utf8')) as Manifest;
}

export function webhookUrlOf(config: ManifestConfig): string {
  return config.webhookProxyUrl ?? `${config.publicUrl}${config.webhookPath}`;
}

/** The manifest GitHub receives: app.yml with this server's addresses (and the admin's app name) filled in. */
export function buildManifest(manifest: Manifest, config: ManifestConfig, name?: string): Manifest {
  return {
    ...manifest,
    ...(name ? { name } : {}),
    hook_attributes: { ...manifest.hook_attributes, url: webhookUrlOf(config), active: true },
    redirect_url: `${config.publicUrl}/setup/callback`,
    callback_urls: [`${config.publicUrl}/console/auth/callback`],
    setup_url: `${config.publicUrl}/setup`,
    setup_on_update: true,
  };
}
