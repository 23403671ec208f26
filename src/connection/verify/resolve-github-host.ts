export interface GitHubHost {
  /** Host name requests go to, named in network findings: "api.github.com", "ghe.example.com". */
  apiHost: string;
  /** Base of the web UI, for links admins follow: "https://github.com", "https://ghe.example.com". */
  webBase: string;
}

/** Derives the hosts from an Octokit `baseUrl` (api.github.com or a GHES `/api/v3` base). */
export function resolveGitHubHost(baseUrl: string): GitHubHost {
  const url = new URL(baseUrl);
  if (url.host === 'api.github.com') return { apiHost: url.host, webBase: 'https://github.com' };
  return { apiHost: url.host, webBase: `${url.protocol}//${url.host}` };
}
