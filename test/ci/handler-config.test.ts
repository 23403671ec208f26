import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiJobFor, SHA, workflowRunCompleted } from '../../fixtures/ci/payloads.js';
import { useGitHubMock } from '../helpers/github-mock.js';
import type { TestKeel } from '../helpers/keel.js';
import {
  apiRequests,
  CONFIG_PATH,
  deliver,
  localPageUrl,
  mockConfig,
  mockCreateComment,
  mockJobs,
  mockListComments,
  mockLog,
  mockStatus,
  mockTokens,
  ORG_CONFIG_PATH,
  recordedGitHub,
  REPO_PATH,
  startCiKeel,
  type GitHub,
} from './ci-scenario.js';

useGitHubMock();

const RUN_ID = 289782451;

let keel: TestKeel;
beforeEach(async () => {
  keel = await startCiKeel();
});
afterEach(() => keel.stop());

function diagnosedRun(github: GitHub, config: string | null) {
  mockTokens(github);
  mockConfig(github, config);
  mockJobs(github, RUN_ID, 1, [apiJobFor('eslint-errors', { id: 4001 })]);
  mockLog(github, 4001, 'eslint-errors');
  return mockStatus(github, SHA);
}

describe('ci.comment: false', () => {
  it('sets the status but neither looks for nor writes a pull request comment', async () => {
    const github = recordedGitHub();
    const statuses = diagnosedRun(github, 'ci:\n  comment: false\n');
    await deliver(keel, 'workflow_run', workflowRunCompleted({ pulls: [] }));
    expect(statuses[0]).toMatchObject({ state: 'failure', description: '3 lint errors in eslint (job lint)' });
    expect(apiRequests(github).some((request) => /\/issues|\/pulls/.test(request))).toBe(false);
  });
});

describe("settings in the organization's private .github repository", () => {
  it('apply to a repository without its own file, read with the config token', async () => {
    const github = recordedGitHub();
    mockTokens(github);
    mockConfig(github, 'ci:\n  ignoreWorkflows: ["C*"]\n', { from: 'organization' });
    await deliver(keel, 'workflow_run', workflowRunCompleted());
    expect(apiRequests(github)).toEqual([`GET ${CONFIG_PATH}`, `GET ${ORG_CONFIG_PATH}`]);
  });
});

describe('ci.ignoreWorkflows', () => {
  it.each([
    ['a name glob', 'ci:\n  ignoreWorkflows: ["C*"]\n'],
    ['the workflow file', 'ci:\n  ignoreWorkflows: [.github/workflows/ci.yml]\n'],
  ])('leaves a run of an ignored workflow alone (%s): only the configuration is read', async (_what, config) => {
    const github = recordedGitHub();
    mockTokens(github);
    mockConfig(github, config);
    await deliver(keel, 'workflow_run', workflowRunCompleted());
    expect(apiRequests(github)).toEqual([`GET ${CONFIG_PATH}`]);
  });

  it('still diagnoses workflows the list does not name', async () => {
    const github = recordedGitHub();
    const statuses = diagnosedRun(github, 'ci:\n  ignoreWorkflows: [Nightly*]\n  comment: false\n');
    await deliver(keel, 'workflow_run', workflowRunCompleted());
    expect(statuses).toHaveLength(1);
  });
});

describe('an invalid ci section', () => {
  it('diagnoses with the default settings and shows the problem, with its line, on the diagnosis page', async () => {
    const github = recordedGitHub();
    const statuses = diagnosedRun(github, 'prChecks: {}\nci:\n  comment: sometimes\n');
    mockListComments(github, 7);
    mockCreateComment(github, 7, 1);
    await deliver(keel, 'workflow_run', workflowRunCompleted());
    expect(statuses[0]).toMatchObject({ state: 'failure', description: '3 lint errors in eslint (job lint)' });
    const page = await (await fetch(localPageUrl(statuses[0]?.target_url, keel.url))).text();
    expect(page).toContain('<h2>Configuration error</h2>');
    expect(page).toContain('Invalid .github/keel.yml: ci.comment must be true or false (line 3)');
  });

  it('never fails the delivery', async () => {
    const github = recordedGitHub();
    diagnosedRun(github, 'ci:\n  comments: true\n');
    mockListComments(github, 7);
    mockCreateComment(github, 7, 1);
    await deliver(keel, 'workflow_run', workflowRunCompleted());
    const [delivery] = (await (await keel.api('/api/deliveries?limit=1')).json()) as { status: string }[];
    expect(delivery?.status).toBe('processed');
    expect(apiRequests(github)).toContain(`POST ${REPO_PATH}/statuses/${SHA}`);
  });
});
