/**
 * Finds installations Keel never heard of: their `installation.created` delivery was missed
 * (longer ago than GitHub redelivers, or before Keel was deployed). GitHub lists every
 * installation of the app (`GET /app/installations`, one request per 100); each one Keel has no
 * row for is written as that event would have written it, state pending, with an audit entry,
 * and the hourly verification judges it like any other.
 *
 * Discovery only adds. An installation Keel knows but GitHub no longer lists stays (only the
 * `deleted` event removes data; verification marks it uninstalled when GitHub answers 404), and
 * one removed through the `deleted` event is never brought back, even when a stale listing still
 * names it.
 */
import { classifyGitHubError } from '../github/errors.js';
import type { KeelOctokit } from '../github/octokit.js';
import { ensureGitHubIntegration } from '../integrations/store.js';
import type { Store } from '../store/database.js';
import { findDeletedInstallations, listInstallationIds } from './installation-reads.js';
import {
  forgetDiscoveredInstallation,
  recordAudit,
  upsertInstallation,
  type InstallationFacts,
} from './installation-rows.js';
import { readInstallationFacts } from './read-installation-facts.js';

export const DISCOVERED_ACTION = 'installation.discovered';

export interface DiscoverInstallationsOptions {
  /** Authenticated as the app (JWT). */
  appOctokit: KeelOctokit;
  store: Store;
  now: () => number;
  /** Host named in error messages. */
  apiHost: string;
}

export interface DiscoveryResult {
  /** Requests made: one per page of 100 installations. */
  pages: number;
  listed: number;
  /** Installations written for the first time by this run. */
  discovered: number[];
  /** Listed, but removed earlier through the `deleted` event: left out. */
  deleted: number;
  /** Known to Keel but not listed by GitHub: kept, for verification to judge. */
  unlisted: number;
}

async function listInstallations(appOctokit: KeelOctokit): Promise<{ facts: InstallationFacts[]; pages: number }> {
  const facts: InstallationFacts[] = [];
  let pages = 0;
  for await (const { data } of appOctokit.paginate.iterator('GET /app/installations', { per_page: 100 })) {
    pages++;
    for (const installation of data) facts.push(readInstallationFacts(installation));
  }
  return { facts, pages };
}

/** Writes one unknown installation; false when it was deleted meanwhile (then nothing stays). */
async function rememberDiscovered(store: Store, facts: InstallationFacts, now: () => number): Promise<boolean> {
  // Audit first, row second, then look again: a `deleted` event handled at any point in between
  // either removes both itself or is seen here, so a deleted installation never stays.
  await recordAudit(store, {
    installationId: facts.id,
    actor: null,
    action: DISCOVERED_ACTION,
    detail: { account: facts.account.login, selection: facts.selection },
    at: now(),
  });
  await upsertInstallation(store, facts, { now: now() });
  if (!(await findDeletedInstallations(store, [facts.id])).has(facts.id)) return true;
  await forgetDiscoveredInstallation(store, facts.id, DISCOVERED_ACTION);
  return false;
}

export async function discoverInstallations(options: DiscoverInstallationsOptions): Promise<DiscoveryResult> {
  const { appOctokit, store, now, apiHost } = options;
  let listed;
  try {
    listed = await listInstallations(appOctokit);
  } catch (error) {
    throw classifyGitHubError(error, apiHost);
  }
  const known = new Set(await listInstallationIds(store));
  const unknown = listed.facts.filter((facts) => !known.has(facts.id));
  const deleted = await findDeletedInstallations(
    store,
    unknown.map((facts) => facts.id),
  );
  const result: DiscoveryResult = {
    pages: listed.pages,
    listed: listed.facts.length,
    discovered: [],
    deleted: 0,
    unlisted: 0,
  };
  for (const facts of unknown) {
    if (!deleted.has(facts.id) && (await rememberDiscovered(store, facts, now))) {
      result.discovered.push(facts.id);
      // The console lists it like any installation: named after its account, nobody known to have added it.
      await ensureGitHubIntegration(store, {
        installationId: facts.id,
        accountLogin: facts.account.login,
        host: apiHost === 'api.github.com' ? 'github.com' : apiHost,
        addedBy: null,
        now: now(),
      });
    } else result.deleted++;
  }
  const listedIds = new Set(listed.facts.map((facts) => facts.id));
  result.unlisted = [...known].filter((id) => !listedIds.has(id)).length;
  return result;
}
