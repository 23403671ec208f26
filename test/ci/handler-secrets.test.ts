import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiJobFor, SHA, workflowRunCompleted } from '../../fixtures/ci/payloads.js';
import { fakeLeakedSecrets, leakedSecretsLog } from '../../fixtures/ci/leaked-secrets.js';
import { useGitHubMock } from '../helpers/github-mock.js';
import type { TestKeel } from '../helpers/keel.js';
import {
  deliver,
  localPageUrl,
  mockConfig,
  mockCreateComment,
  mockJobs,
  mockListComments,
  mockLogText,
  mockStatus,
  mockTokens,
  recordedGitHub,
  startCiKeel,
} from './ci-scenario.js';

useGitHubMock();

const RUN_ID = 289782451;
const JOB_ID = 5101;
const secrets = fakeLeakedSecrets();
/** What must never leave the log: each secret without its public prefix and last four characters. */
const secretCores = Object.values(secrets).map((value) => value.slice(4, -4));

let keel: TestKeel;
beforeEach(async () => {
  keel = await startCiKeel();
});
afterEach(() => keel.stop());

/** A failed run on PR #7 whose jest job prints four credentials; returns what Keel sent and stored. */
async function diagnoseLeakyJob() {
  const github = recordedGitHub();
  mockTokens(github);
  mockConfig(github, null);
  mockJobs(github, RUN_ID, 1, [apiJobFor('jest-assertions', { id: JOB_ID, runId: RUN_ID })]);
  mockLogText(github, JOB_ID, leakedSecretsLog(secrets));
  const statuses = mockStatus(github, SHA);
  mockListComments(github, 7);
  const created = mockCreateComment(github, 7, 990001);
  await deliver(keel, 'workflow_run', workflowRunCompleted({ runId: RUN_ID }));
  const rows = await keel.keel.store.db.selectFrom('ci_diagnoses').select('diagnosis').execute();
  return { comment: String(created.bodies[0]?.body ?? ''), statuses, stored: JSON.stringify(rows) };
}

describe('secrets a failed job prints in its log', () => {
  it('never reach the pull request comment, which says how many were masked and to rotate them', async () => {
    const { comment } = await diagnoseLeakyJob();
    expect(comment).toContain('Queue > pop returns items in FIFO order');
    for (const core of secretCores) expect(comment).not.toContain(core);
    expect(comment).toContain(`ghs_…${secrets.installation.slice(-4)}`);
    expect(comment).toContain('4 secrets masked');
    expect(comment).toContain('rotate them');
  });

  it('are masked before the diagnosis is stored', async () => {
    const { stored } = await diagnoseLeakyJob();
    expect(stored).toContain('ghp_…');
    for (const core of secretCores) expect(stored).not.toContain(core);
  });

  it('never reach the diagnosis page, which shows the same notice', async () => {
    const { statuses } = await diagnoseLeakyJob();
    const page = await (await fetch(localPageUrl(statuses[0]?.target_url, keel.url))).text();
    expect(page).toContain('Queue &gt; pop returns items in FIFO order');
    for (const core of secretCores) expect(page).not.toContain(core);
    expect(page).toContain('4 secrets masked');
  });
});
