/**
 * Scans a repository's workflows at its default branch. The listing is read conditionally: when
 * GitHub answers 304, the table has not changed and the last scan is recent, its findings stand
 * without reading a file. Files are read by blob SHA (immutable), only when a scan needs them.
 */
import type { KeelOctokit } from '../github/octokit.js';
import type { RepositoryRef } from '../github/repository.js';
import type { Store } from '../store/database.js';
import { collectUses, gatherActionFacts } from './action-facts.js';
import { listWorkflowFiles, readBlob } from './github.js';
import { RETIREMENTS_FINGERPRINT } from './retirements.js';
import { scanWorkflow } from './scan-workflow.js';
import type { StoredScan, WorkflowFile } from './store.js';
import type { Finding } from './types.js';

/** A cached scan is trusted this long (tag facts are re-read weekly, and so is the scan). */
const SCAN_MAX_AGE_MS = 6 * 86_400_000;

export interface RepositoryScan {
  files: WorkflowFile[];
  listingEtag: string | null;
  findings: Finding[];
  /** The text of each file by path, read on first use. */
  readText(path: string): Promise<string>;
}

export interface ScanRepositoryOptions {
  octokit: KeelOctokit;
  ref: RepositoryRef;
  branch: string;
  store: Store;
  previous: StoredScan | undefined;
  now: number;
}

export async function scanRepository(options: ScanRepositoryOptions): Promise<RepositoryScan> {
  const { octokit, ref, branch, store, previous, now } = options;
  const listing = await listWorkflowFiles(octokit, ref, branch, previous?.listingEtag ?? null);
  const files = listing.notModified ? (previous?.files ?? []) : listing.value;
  const listingEtag = listing.notModified ? (previous?.listingEtag ?? null) : listing.etag;
  const texts = new Map<string, Promise<string>>();
  const readText = (path: string): Promise<string> => {
    const file = files.find((candidate) => candidate.path === path);
    if (!file) return Promise.resolve('');
    let text = texts.get(path);
    if (!text) {
      text = readBlob(octokit, ref, file.sha);
      texts.set(path, text);
    }
    return text;
  };
  const reusable =
    listing.notModified &&
    previous !== undefined &&
    previous.tableFingerprint === RETIREMENTS_FINGERPRINT &&
    now - previous.updatedAt < SCAN_MAX_AGE_MS;
  if (reusable) return { files, listingEtag, findings: previous.findings, readText };

  const contents = await Promise.all(files.map(async (file) => ({ path: file.path, text: await readText(file.path) })));
  const facts = await gatherActionFacts(
    { octokit, store, host: ref.githubHost, now },
    collectUses(contents.map((content) => content.text)),
  );
  const findings = contents.flatMap((content) => scanWorkflow(content.path, content.text, facts));
  return { files, listingEtag, findings, readText };
}
