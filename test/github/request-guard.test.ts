import { describe, expect, it } from 'vitest';
import { GuardError, PermissionMissingError } from '../../src/errors.js';
import { createKeelOctokit } from '../../src/github/octokit.js';
import { judgeRequest } from '../../src/github/request-guard.js';
import { assertScopeAllows } from '../../src/github/token-scope.js';
import { githubApi, useGitHubMock } from '../helpers/github-mock.js';

describe('the request guard', () => {
  describe('refuses every way of merging', () => {
    it.each([
      ['PUT', '/repos/acme/app/pulls/7/merge', { merge_method: 'squash' }],
      ['POST', '/repos/acme/app/merges', { base: 'main', head: 'keel/fix' }],
      ['PUT', '/repos/acme/app/pulls/7/update-branch', {}],
      ['POST', '/repos/acme/app/merge-upstream', { branch: 'main' }],
      ['PUT', 'https://ghe.example.com/api/v3/repos/acme/app/pulls/7/merge', {}],
    ])('%s %s', (method, url, body) => {
      expect(judgeRequest({ method, url, body })).toMatch(/Keel does not/);
    });

    it.each([
      'mutation { mergePullRequest(input: { pullRequestId: "PR_1" }) { clientMutationId } }',
      'mutation($id: ID!) { enablePullRequestAutoMerge(input: { pullRequestId: $id, mergeMethod: SQUASH }) { clientMutationId } }',
      'mutation { enqueuePullRequest(input: { pullRequestId: "PR_1" }) { clientMutationId } }',
      'mutation { mergeBranch(input: { repositoryId: "R_1", base: "main", head: "keel/x" }) { clientMutationId } }',
      'mutation { updateRefs(input: { repositoryId: "R_1", refUpdates: [] }) { clientMutationId } }',
    ])('GraphQL %s', (query) => {
      expect(judgeRequest({ method: 'POST', url: '/graphql', body: { query } })).toMatch(/GraphQL mutation/);
    });
  });

  describe('refuses writes to branches Keel does not own', () => {
    it.each([
      ['PATCH', '/repos/acme/app/git/refs/heads%2Fmain', { sha: 'abc', force: true }],
      ['PATCH', '/repos/acme/app/git/refs/heads/main', { sha: 'abc' }],
      ['DELETE', '/repos/acme/app/git/refs/heads/release', undefined],
      ['POST', '/repos/acme/app/git/refs', { ref: 'refs/heads/main', sha: 'abc' }],
      ['POST', '/repos/acme/app/git/refs', { ref: 'refs/tags/v1', sha: 'abc' }],
      ['PUT', '/repos/acme/app/contents/README.md', { message: 'x', content: 'eA==' }],
      ['PUT', '/repos/acme/app/contents/README.md', { message: 'x', content: 'eA==', branch: 'main' }],
      ['DELETE', '/repos/acme/app/contents/README.md', { message: 'x', sha: 'abc' }],
      ['PUT', '/repos/acme/app/contents/a.txt', { message: 'x', content: 'eA==', branch: 'keel/../main' }],
      ['POST', '/repos/acme/app/branches/main/rename', { new_name: 'trunk' }],
    ])('%s %s %j', (method, url, body) => {
      expect(judgeRequest({ method, url, body })).not.toBeNull();
    });

    it('refuses createRef through GraphQL, which Keel never needs', () => {
      const query =
        'mutation { createRef(input: { repositoryId: "R_1", name: "refs/heads/main2", oid: "abc" }) { ref { name } } }';
      expect(judgeRequest({ method: 'POST', url: '/graphql', body: { query } })).toMatch(/createRef/);
    });

    it('refuses createCommitOnBranch naming its branch by id, even beside a keel/ branch', () => {
      const query = `mutation {
        a: createCommitOnBranch(input: { branch: { repositoryNameWithOwner: "acme/app", branchName: "keel/fix" } }) { commit { oid } }
        b: createCommitOnBranch(input: { branch: { id: "REF_main" } }) { commit { oid } }
      }`;
      expect(judgeRequest({ method: 'POST', url: '/graphql', body: { query } })).toMatch(/createCommitOnBranch/);
    });

    it('refuses createCommitOnBranch whose branchName comes from a variable naming another branch', () => {
      const query = `mutation($target: String!) {
        a: createCommitOnBranch(input: { branch: { repositoryNameWithOwner: "acme/app", branchName: "keel/fix" } }) { commit { oid } }
        b: createCommitOnBranch(input: { branch: { repositoryNameWithOwner: "acme/app", branchName: $target } }) { commit { oid } }
      }`;
      const body = { query, variables: { target: 'main' } };
      expect(judgeRequest({ method: 'POST', url: '/graphql', body })).toMatch(/createCommitOnBranch/);
    });

    it('refuses a branch given by id in the variables', () => {
      const query =
        'mutation($input: CreateCommitOnBranchInput!) { createCommitOnBranch(input: $input) { commit { oid } } }';
      const variables = { input: { branch: { id: 'REF_main', branchName: 'keel/fix' } } };
      expect(judgeRequest({ method: 'POST', url: '/graphql', body: { query, variables } })).toMatch(
        /createCommitOnBranch/,
      );
    });

    it('refuses createCommitOnBranch on the default branch', () => {
      const query =
        'mutation($input: CreateCommitOnBranchInput!) { createCommitOnBranch(input: $input) { commit { oid } } }';
      const variables = { input: { branch: { repositoryNameWithOwner: 'acme/app', branchName: 'main' } } };
      expect(judgeRequest({ method: 'POST', url: '/graphql', body: { query, variables } })).toMatch(
        /createCommitOnBranch/,
      );
    });
  });

  describe('reads GraphQL as GitHub parses it, not as text', () => {
    it.each([
      [
        'a comma before the arguments',
        'mutation { mergePullRequest,(input: { pullRequestId: "PR_1" }) { clientMutationId } }',
      ],
      [
        'a comment before the arguments',
        'mutation { mergePullRequest #c\n(input: { pullRequestId: "PR_1" }) { clientMutationId } }',
      ],
      ['an alias', 'mutation { ship: mergePullRequest(input: { pullRequestId: "PR_1" }) { clientMutationId } }'],
      [
        'a fragment on the mutation type',
        'mutation { ...Ship } fragment Ship on Mutation { mergePullRequest(input: { pullRequestId: "PR_1" }) { clientMutationId } }',
      ],
      ['no arguments at all', 'mutation { enqueuePullRequest { clientMutationId } }'],
      [
        'a shorthand without the mutation keyword',
        '{ mergeBranch(input: { repositoryId: "R_1", base: "main", head: "x" }) { clientMutationId } }',
      ],
    ])('refuses a merge written with %s', (_how, query) => {
      expect(judgeRequest({ method: 'POST', url: '/graphql', body: { query } })).toMatch(/GraphQL mutation/);
    });

    it('refuses a document that does not parse but names a denied mutation', () => {
      const query = 'mutation { mergePullRequest(input: { pullRequestId: "PR_1" } { clientMutationId } }';
      expect(judgeRequest({ method: 'POST', url: '/graphql', body: JSON.stringify({ query }) })).toMatch(
        /does not parse and names mergePullRequest/,
      );
    });

    it('refuses createCommitOnBranch aliased and spread from a fragment onto the default branch', () => {
      const query = `mutation($b: String = "main") { ...Commit }
        fragment Commit on Mutation {
          save: createCommitOnBranch(input: { branch: { repositoryNameWithOwner: "acme/app", branchName: $b } }) { commit { oid } }
        }`;
      expect(judgeRequest({ method: 'POST', url: '/graphql', body: { query } })).toMatch(/createCommitOnBranch/);
    });

    it('lets a query mention merge-related words in strings and field names it only reads', () => {
      const query = 'query { repository(owner: "acme", name: "mergePullRequest") { mergeCommitAllowed } }';
      expect(judgeRequest({ method: 'POST', url: '/graphql', body: { query } })).toBeNull();
    });
  });

  describe('judges repositories named by id (/repositories/:id) like /repos/:owner/:name', () => {
    it.each([
      ['PUT', '/repositories/1296269/pulls/7/merge', { merge_method: 'squash' }],
      ['POST', '/repositories/1296269/merges', { base: 'main', head: 'keel/fix' }],
      ['PATCH', '/repositories/1296269/git/refs/heads/main', { sha: 'abc', force: true }],
      ['PATCH', 'https://api.github.com/repositories/1296269/git/refs/heads%2Fmain', { sha: 'abc' }],
      ['POST', '/repositories/1296269/git/refs', { ref: 'refs/heads/main', sha: 'abc' }],
      ['PUT', '/repositories/1296269/contents/README.md', { message: 'x', content: 'eA==' }],
      ['PUT', '//repositories/1296269//pulls/7/merge/', {}],
    ])('refuses %s %s', (method, url, body) => {
      expect(judgeRequest({ method, url, body })).not.toBeNull();
    });

    it('lets a write to a keel/ branch by id through', () => {
      const body = { message: 'x', content: 'eA==', branch: 'keel/fix' };
      expect(judgeRequest({ method: 'PUT', url: '/repositories/1296269/contents/a.txt', body })).toBeNull();
    });
  });

  describe('lets through what Keel needs', () => {
    it.each([
      ['GET', '/repos/acme/app/pulls/7/merge', undefined],
      ['POST', '/repos/acme/app/git/refs', { ref: 'refs/heads/keel/fix-node-version', sha: 'abc' }],
      ['PATCH', '/repos/acme/app/git/refs/heads%2Fkeel%2Ffix', { sha: 'abc' }],
      ['DELETE', '/repos/acme/app/git/refs/heads/keel/connection-check', undefined],
      [
        'PUT',
        '/repos/acme/app/contents/.github/workflows/ci.yml',
        { message: 'x', content: 'eA==', branch: 'keel/fix' },
      ],
      ['POST', '/repos/acme/app/pulls', { title: 'Fix', head: 'keel/fix', base: 'main' }],
      ['POST', '/repos/acme/app/statuses/abc', { state: 'success', context: 'keel/pr-checks' }],
      ['POST', '/graphql', { query: 'query { viewer { login } }' }],
      [
        'POST',
        '/graphql',
        {
          query:
            'mutation($input: CreateCommitOnBranchInput!) { createCommitOnBranch(input: $input) { commit { oid } } }',
          variables: { input: { branch: { repositoryNameWithOwner: 'acme/app', branchName: 'keel/fix' } } },
        },
      ],
    ])('%s %s', (method, url, body) => {
      expect(judgeRequest({ method, url, body })).toBeNull();
    });
  });

  describe("in Keel's Octokit", () => {
    useGitHubMock();
    const { Octokit } = createKeelOctokit();
    const octokit = new Octokit({
      auth: { token: 'ghs_test' },
      retry: { enabled: false },
      throttle: { enabled: false },
    });

    it('throws a GuardError and sends nothing for a merge', async () => {
      // No mock is registered: had the request left, the mock helper would fail the test.
      const merge = octokit.rest.pulls.merge({ owner: 'acme', repo: 'app', pull_number: 7 });
      await expect(merge).rejects.toBeInstanceOf(GuardError);
      await expect(merge).rejects.toThrow(
        'Refused before sending: PUT /repos/acme/app/pulls/7/merge: Keel does not merge a pull request.',
      );
    });

    it('throws a GuardError for auto-merge through GraphQL', async () => {
      const enable = octokit.graphql(
        'mutation($id: ID!) { enablePullRequestAutoMerge(input: { pullRequestId: $id }) { clientMutationId } }',
        { id: 'PR_1' },
      );
      await expect(enable).rejects.toBeInstanceOf(GuardError);
    });

    it('throws a GuardError for a force-push of the default branch', async () => {
      const update = octokit.rest.git.updateRef({
        owner: 'acme',
        repo: 'app',
        ref: 'heads/main',
        sha: 'abc',
        force: true,
      });
      await expect(update).rejects.toBeInstanceOf(GuardError);
    });

    it('throws a GuardError for a contents write that names no branch', async () => {
      const write = octokit.rest.repos.createOrUpdateFileContents({
        owner: 'acme',
        repo: 'app',
        path: 'a.txt',
        message: 'x',
        content: 'eA==',
      });
      await expect(write).rejects.toBeInstanceOf(GuardError);
    });

    it('sends a write to a keel/ branch', async () => {
      githubApi()
        .post('/repos/acme/app/git/refs', { ref: 'refs/heads/keel/fix', sha: 'abc' })
        .reply(201, { ref: 'refs/heads/keel/fix', object: { sha: 'abc' } });
      const { status } = await octokit.rest.git.createRef({
        owner: 'acme',
        repo: 'app',
        ref: 'refs/heads/keel/fix',
        sha: 'abc',
      });
      expect(status).toBe(201);
    });
  });

  // Beside the guard, a narrowed token refuses locally the writes its grant lacks (token-scope.ts).
  describe('a narrowed token, on conversation comments', () => {
    const comment = ['POST', '/repos/acme/app/issues/7/comments'] as const;

    it.each([[{ pull_requests: 'write' }], [{ issues: 'write' }]])(
      'may comment on a conversation with %j (GitHub takes either)',
      (granted) => {
        expect(() => assertScopeAllows(granted, ...comment)).not.toThrow();
      },
    );

    it('may not comment with pull_requests: read and issues left out, and says which permission to ask for', () => {
      expect(() => assertScopeAllows({ pull_requests: 'read', contents: 'write' }, ...comment)).toThrow(
        expect.objectContaining({ permission: 'issues', level: 'write' }),
      );
    });

    it.each([
      ['POST', '/repos/acme/app/issues'],
      ['PATCH', '/repos/acme/app/issues/7'],
      ['POST', '/repos/acme/app/issues/7/labels'],
      ['PATCH', '/repos/acme/app/issues/comments/5'],
      ['DELETE', '/repos/acme/app/issues/comments/5'],
    ])('still needs issues: write for %s %s with pull_requests: write alone', (method, url) => {
      expect(() => assertScopeAllows({ pull_requests: 'write' }, method, url)).toThrow(PermissionMissingError);
    });
  });
});
