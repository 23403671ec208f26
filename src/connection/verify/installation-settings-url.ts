export interface InstallationSettingsUrlOptions {
  webBase: string;
  installationId: number;
  account: { login: string; type: string } | undefined;
  /** GitHub's own `html_url` of the installation, used for account types without a known form. */
  htmlUrl?: string;
}

/** Where an owner reviews the installation: repository selection, permission updates, suspension. */
export function installationSettingsUrl({
  webBase,
  installationId,
  account,
  htmlUrl,
}: InstallationSettingsUrlOptions): string {
  if (account?.type === 'Organization') {
    return `${webBase}/organizations/${account.login}/settings/installations/${installationId}`;
  }
  if (account?.type === 'User') return `${webBase}/settings/installations/${installationId}`;
  return htmlUrl ?? `${webBase}/settings/installations/${installationId}`;
}
