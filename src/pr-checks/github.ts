/** The GitHub reads pr-checks makes, each failure classified once (see github/repository.ts). */
import { statusOf } from '../github/errors.js';
import type { KeelOctokit } from '../github/octokit.js';
import { classified, type RepositoryRef } from '../github/repository.js';
import { z } from 'zod';
import type { ChangedFile } from './types.js';
import type { ActionAdvisory, ActionRefs, GitRef } from './workflow-audits/action-facts.js';

/** The pull request's changed files, 100 a page; GitHub stops after 3,000. */
export function listChangedFiles(octokit: KeelOctokit, ref: RepositoryRef, pullNumber: number): Promise<ChangedFile[]> {
  return classified(ref.githubHost, async () => {
    const files = await octokit.paginate('GET /repos/{owner}/{repo}/pulls/{pull_number}/files', {
      owner: ref.owner,
      repo: ref.repo,
      pull_number: pullNumber,
      per_page: 100,
    });
    return files.map((file): ChangedFile => ({
      filename: file.filename,
      status: file.status,
      additions: file.additions,
      deletions: file.deletions,
      changes: file.changes,
      ...(file.patch !== undefined ? { patch: file.patch } : {}),
      ...(file.previous_filename !== undefined ? { previous_filename: file.previous_filename } : {}),
    }));
  });
}

/** The full text of each path at `sha` (raw media type); a path GitHub cannot find is left out. */
export async function readFilesAt(
  octokit: KeelOctokit,
  ref: RepositoryRef,
  sha: string,
  paths: readonly string[],
): Promise<Map<string, string>> {
  const contents = new Map<string, string>();
  await Promise.all(
    paths.map((path) =>
      classified(ref.githubHost, async () => {
        try {
          const { data } = await octokit.request('GET /repos/{owner}/{repo}/contents/{path}', {
            owner: ref.owner,
            repo: ref.repo,
            path,
            ref: sha,
            mediaType: { format: 'raw' },
          });
          if (typeof data === 'string') contents.set(path, data);
        } catch (error) {
          if (statusOf(error) !== 404) throw error;
        }
      }),
    ),
  );
  return contents;
}

/** One attempt only: these reads only add audits, and a failure skips them instead of failing the check. */
const ONE_ATTEMPT = { retries: 0 };
/** Tags and branches are read at most this many pages of 100 (the list is then marked truncated). */
const MAX_REF_PAGES = 10;
const MAX_ADVISORY_PAGES = 5;

const AdvisoriesSchema = z.array(
  z.object({
    ghsa_id: z.string(),
    html_url: z.string(),
    summary: z.string(),
    severity: z.enum(['critical', 'high', 'medium', 'low', 'unknown']).catch('unknown'),
    withdrawn_at: z.string().nullish(),
    vulnerabilities: z
      .array(
        z.object({
          package: z.object({ ecosystem: z.string(), name: z.string().nullable() }).nullable(),
          vulnerable_version_range: z.string().nullable(),
          first_patched_version: z.string().nullable(),
        }),
      )
      .nullable(),
  }),
);
const RefsSchema = z.array(z.object({ name: z.string(), commit: z.object({ sha: z.string() }) }));

/**
 * The advisory's page when `htmlUrl` is an https address on GitHub's web host (github.com for
 * api.github.com, the GitHub Enterprise host itself); anything else is not linked: the answer is
 * shown on Keel's pages, and only GitHub's own address may be a link there.
 */
export function advisoryLink(htmlUrl: string, githubHost: string): string | undefined {
  const webHost = githubHost === 'api.github.com' ? 'github.com' : githubHost;
  try {
    const url = new URL(htmlUrl);
    return url.protocol === 'https:' && url.host === webHost.toLowerCase() && !url.username && !url.password
      ? url.href
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A page of `GET /advisories`, withdrawn advisories left out, each narrowed to its entries for
 * `repository`; linked only to GitHub's own pages (see advisoryLink).
 */
export function narrowAdvisories(repository: string, data: unknown, githubHost: string): ActionAdvisory[] {
  return AdvisoriesSchema.parse(data).flatMap((advisory): ActionAdvisory[] => {
    const ranges = (advisory.vulnerabilities ?? [])
      .filter((v) => v.package?.ecosystem === 'actions' && v.package.name?.toLowerCase() === repository)
      .map((v) => ({
        vulnerableVersionRange: v.vulnerable_version_range,
        firstPatchedVersion: v.first_patched_version,
      }));
    if (advisory.withdrawn_at || ranges.length === 0) return [];
    return [
      {
        ghsaId: advisory.ghsa_id,
        severity: advisory.severity,
        summary: advisory.summary,
        ...(advisoryLink(advisory.html_url, githubHost) ? { url: advisoryLink(advisory.html_url, githubHost) } : {}),
        ranges,
      },
    ];
  });
}

/** A page of `GET /repos/{owner}/{repo}/tags` or `/branches`: names and the commits they point to. */
export function readGitRefs(data: unknown): GitRef[] {
  return RefsSchema.parse(data).map((ref) => ({ name: ref.name, commit: ref.commit.sha }));
}

/**
 * Up to `maxPages` pages of a listing, following GitHub's `Link: rel="next"` (page numbers or
 * cursors alike). Written out rather than `octokit.paginate`, which drops per-request options
 * such as `retries`; `truncated` says a next page was left unread.
 */
async function readPages(
  octokit: KeelOctokit,
  first: { url: string; parameters: Record<string, string | number> },
  maxPages: number,
): Promise<{ pages: unknown[]; truncated: boolean }> {
  const pages: unknown[] = [];
  let response = await octokit.request(`GET ${first.url}`, { ...first.parameters, request: ONE_ATTEMPT });
  for (;;) {
    pages.push(response.data);
    const next = /<([^>]+)>;\s*rel="next"/.exec(response.headers.link ?? '')?.[1];
    if (next === undefined) return { pages, truncated: false };
    if (pages.length >= maxPages) return { pages, truncated: true };
    response = await octokit.request({ method: 'GET', url: next, request: ONE_ATTEMPT });
  }
}

/**
 * GitHub's reviewed advisories for an action (`GET /advisories?ecosystem=actions&affects=owner/repo`),
 * withdrawn ones left out, each narrowed to its entries for this action.
 */
export async function listActionAdvisories(
  octokit: KeelOctokit,
  repository: string,
  githubHost: string,
): Promise<ActionAdvisory[]> {
  const parameters = { ecosystem: 'actions', affects: repository, per_page: 100 };
  const { pages } = await readPages(octokit, { url: '/advisories', parameters }, MAX_ADVISORY_PAGES);
  return pages.flatMap((page) => narrowAdvisories(repository, page, githubHost));
}

/** The action repository's tags (their commits, peeled) and branches, at most MAX_REF_PAGES pages each. */
export async function listActionRefs(octokit: KeelOctokit, repository: string): Promise<ActionRefs> {
  const list = (kind: 'tags' | 'branches') =>
    readPages(octokit, { url: `/repos/${repository}/${kind}`, parameters: { per_page: 100 } }, MAX_REF_PAGES);
  const tags = await list('tags');
  const branches = await list('branches');
  return {
    tags: tags.pages.flatMap(readGitRefs),
    branches: branches.pages.flatMap(readGitRefs),
    truncated: tags.truncated || branches.truncated,
  };
}
