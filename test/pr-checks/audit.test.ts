import { describe, expect, it } from 'vitest';
import {
  auditPullRequest,
  describeAudit,
  workflowFilesToFetch,
  type ChangedFile,
  type Finding,
} from '../../src/pr-checks/audit.js';
import { PrChecksConfigSchema } from '../../src/pr-checks/config.js';
import { addedFile, fakeSecrets, readPrChecksFixture } from '../../fixtures/pr-checks/helpers.js';

const secrets = fakeSecrets(3);
const config = (section: unknown = {}) => PrChecksConfigSchema.parse(section);

const audit = (
  files: ChangedFile[],
  options: { title?: string; section?: unknown; workflows?: Map<string, string>; publicRepository?: boolean } = {},
) =>
  auditPullRequest({
    title: options.title ?? 'feat: change',
    body: null,
    files,
    workflowContents: options.workflows ?? new Map(),
    config: config(options.section),
    publicRepository: options.publicRepository ?? false,
  });

const finding = (rule: Finding['rule'], severity: Finding['severity'] = 'failure'): Finding => ({
  rule,
  severity,
  file: null,
  line: null,
  title: '',
  explanation: '',
  fix: '',
});

describe('auditPullRequest', () => {
  it('succeeds with a clean description when nothing is found', () => {
    const result = audit([
      addedFile('src/a.ts', ['export const a = 1;']),
      addedFile('src/b.ts', ['export const b = 2;']),
    ]);
    expect(result).toMatchObject({
      state: 'success',
      description: 'No findings in 2 files',
      findings: [],
      filesAudited: 2,
      addedLines: 2,
    });
  });

  it('fails on a secret and says which kind', () => {
    const result = audit([addedFile('src/a.ts', [`const t = "${secrets.githubClassic}";`])]);
    expect(result.state).toBe('failure');
    expect(result.description).toBe('1 finding: 1 secret');
  });

  it('judges only the lines the pull request adds', () => {
    const patch = `@@ -1,2 +1,2 @@\n const old = "${secrets.githubClassic}";\n-const a = 1;\n+const a = 2;`;
    const result = audit([
      addedFile('src/a.ts', [], {
        status: 'modified',
        patch,
        additions: 1,
        deletions: 1,
        changes: 2,
      }),
    ]);
    expect(result.findings).toEqual([]);
  });

  it('lists files whose patch GitHub omitted as not audited', () => {
    const big = addedFile('dist/bundle.js', [], {
      status: 'modified',
      patch: undefined,
      additions: 90_000,
      changes: 90_000,
    });
    const result = audit([big, addedFile('src/a.ts', ['ok'])], {
      section: { rules: { size: false } },
    });
    expect(result.notAudited).toEqual([{ file: 'dist/bundle.js', reason: expect.stringContaining('omitted') }]);
    expect(result.description).toBe('No findings in 1 file; 1 file not audited');
  });

  it('does not list binary files or pure renames (no patch, no changed lines)', () => {
    const image = addedFile('logo.png', [], {
      status: 'modified',
      patch: undefined,
      additions: 0,
      changes: 0,
    });
    expect(audit([image]).notAudited).toEqual([]);
  });

  it('excludes ignored paths from every rule', () => {
    const files = [
      addedFile('test/fixtures/key.txt', [`${secrets.awsAccessKeyId}`]),
      addedFile('package-lock.json', Array(1500).fill('x')),
    ];
    const result = audit(files, {
      section: { ignorePaths: ['**/fixtures/**', 'package-lock.json'] },
    });
    expect(result).toMatchObject({ state: 'success', findings: [], filesAudited: 0 });
  });

  it('leaves the state success when there are only warnings', () => {
    const result = audit([addedFile('src/a.ts', Array(1200).fill('const x = 1;'))]);
    expect(result.state).toBe('success');
    expect(result.description).toBe('No findings in 1 file; 1 warning (1 large diff)');
  });

  it('counts deletions towards the size limit', () => {
    const file = addedFile('src/a.ts', ['x'], { status: 'modified', deletions: 1000 });
    expect(audit([file]).findings.map((f) => f.rule)).toEqual(['size']);
  });

  it('skips rules switched off in the configuration', () => {
    const result = audit([addedFile('src/a.ts', [`const t = "${secrets.githubClassic}";`])], {
      section: { rules: { secrets: false } },
    });
    expect(result.findings).toEqual([]);
  });

  it('re-runs only the requested rules', () => {
    const result = auditPullRequest({
      title: 'bad title',
      body: null,
      files: [addedFile('src/a.ts', [`const t = "${secrets.githubClassic}";`])],
      workflowContents: new Map(),
      config: config({ titlePattern: '^feat' }),
      only: ['title'],
    });
    expect(result.findings.map((f) => f.rule)).toEqual(['title']);
  });

  it('checks changed workflow files against their full content', () => {
    const content = readPrChecksFixture('workflows/script-injection.yml');
    const file = addedFile('.github/workflows/triage.yml', content.split('\n'));
    const result = audit([file], { workflows: new Map([[file.filename, content]]) });
    expect(result.description).toBe('2 findings: 2 workflow risks');
  });

  it('reports a self-hosted runner only in a public repository, where anyone can open a pull request', () => {
    const content =
      'on: pull_request\npermissions: {}\njobs:\n  test:\n    runs-on: [self-hosted, linux]\n    steps:\n      - run: make test\n';
    const file = addedFile('.github/workflows/test.yml', content.split('\n'));
    const audits = (publicRepository: boolean) =>
      audit([file], { workflows: new Map([[file.filename, content]]), publicRepository }).findings.map(
        (found) => found.audit,
      );
    expect(audits(true)).toContain('self-hosted-runner');
    expect(audits(false)).not.toContain('self-hosted-runner');
  });

  it('audits a new workflow file from its content when GitHub omits the patch', () => {
    const content = readPrChecksFixture('workflows/script-injection.yml');
    const file = addedFile('.github/workflows/triage.yml', content.split('\n'), { patch: undefined });
    const result = audit([file], { workflows: new Map([[file.filename, content]]) });
    expect(result.findings).toHaveLength(2);
    expect(result.notAudited).toEqual([]);
  });

  it('lists a changed workflow whose content was not provided as not audited, still scanning its lines', () => {
    const file = addedFile('.github/workflows/ci.yml', [`token: ${secrets.githubClassic}`]);
    const result = audit([file]);
    expect(result.findings.map((f) => f.rule)).toEqual(['secrets']);
    expect(result.notAudited.map((n) => n.file)).toEqual(['.github/workflows/ci.yml']);
  });

  it('audits drafts like any pull request (no draft input changes the verdict)', () => {
    const result = audit([addedFile('a.md', ['<<<<<<< HEAD', 'a', '=======', 'b', '>>>>>>> x'])]);
    expect(result.description).toBe('1 finding: 1 merge conflict');
  });
});

describe('describeAudit', () => {
  it('lists counts by kind', () => {
    const findings = [finding('secrets'), finding('workflow-risks')];
    expect(describeAudit(findings, [], 12)).toBe('2 findings: 1 secret, 1 workflow risk');
  });

  it('mentions warnings and files not audited alongside findings', () => {
    const findings = [finding('title'), finding('size', 'warning')];
    expect(
      describeAudit(
        findings,
        [
          { file: 'a', reason: 'r' },
          { file: 'b', reason: 'r' },
        ],
        3,
      ),
    ).toBe('1 finding: 1 title mismatch; 1 warning (1 large diff); 2 files not audited');
  });

  it('counts the files GitHub did not list among the files not audited', () => {
    expect(describeAudit([], [{ file: 'a', reason: 'r' }], 3000, 500)).toBe(
      'No findings in 3,000 files; 501 files not audited',
    );
  });

  it('stays within 140 characters whatever the counts', () => {
    const rules: Finding['rule'][] = ['secrets', 'conflict-markers', 'workflow-risks', 'title'];
    const findings = Array.from({ length: 123_456 }, (_, i) => finding(rules[i % 4] ?? 'secrets'));
    const notAudited = Array.from({ length: 9999 }, () => ({ file: 'f', reason: 'r' }));
    const description = describeAudit([...findings, finding('size', 'warning')], notAudited, 5);
    expect(description.length).toBeLessThanOrEqual(140);
    expect(description).toMatch(/^123,456 findings/);
  });
});

describe('workflowFilesToFetch', () => {
  it('lists changed workflow files, not removed, ignored or other files', () => {
    const files = [
      addedFile('.github/workflows/ci.yml', ['on: push']),
      addedFile('.github/workflows/release.yaml', ['on: push']),
      addedFile('.github/workflows/old.yml', [], {
        status: 'removed',
        additions: 0,
        deletions: 5,
        changes: 5,
      }),
      addedFile('.github/workflows/vendored/x.yml', ['on: push']),
      addedFile('.github/workflows/ignored.yml', ['on: push']),
      addedFile('.github/dependabot.yml', ['version: 2']),
    ];
    expect(workflowFilesToFetch(files, config({ ignorePaths: ['ignored.yml'] }))).toEqual([
      '.github/workflows/ci.yml',
      '.github/workflows/release.yaml',
    ]);
  });

  it('lists nothing when the workflow rule is off', () => {
    const files = [addedFile('.github/workflows/ci.yml', ['on: push'])];
    expect(workflowFilesToFetch(files, config({ rules: { workflowRisks: false } }))).toEqual([]);
  });
});
