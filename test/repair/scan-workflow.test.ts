import { describe, expect, it } from 'vitest';
import { matchRetirementLog, RETIREMENTS } from '../../src/repair/retirements.js';
import { repairWorkflow } from '../../src/repair/rewrite.js';
import type { ActionFacts } from '../../src/repair/types.js';

const OLD_SHA = '1'.repeat(40);
const NEW_SHA = '2'.repeat(40);
const lines = (...rows: string[]) => `${rows.join('\n')}\n`;
const repair = (text: string, facts: Map<string, ActionFacts> = new Map()) =>
  repairWorkflow('.github/workflows/ci.yml', text, facts);

describe('repairing action versions', () => {
  it('moves upload-artifact v3 to the first release on Node 24, keeping quotes and comments', () => {
    const text = lines(
      'on: push # every push',
      'jobs:',
      '  build:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - uses: "actions/upload-artifact@v3"   # keep me',
      '        with: { name: dist, path: dist }',
    );
    const repaired = repair(text);
    expect(repaired.text).toBe(text.replace('"actions/upload-artifact@v3"', '"actions/upload-artifact@v6"'));
    expect(repaired.findings).toMatchObject([
      {
        rowId: 'upload-artifact-below-v4',
        line: 6,
        before: 'actions/upload-artifact@v3',
        after: 'actions/upload-artifact@v6',
      },
    ]);
  });

  it('keeps a SHA pin pinned: the new SHA, and the stale version comment updated', () => {
    const text = lines(
      'jobs:',
      '  a:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      `      - uses: actions/checkout@${OLD_SHA} # v4.1.1`,
    );
    const facts = new Map([
      [`actions/checkout@${OLD_SHA}`, { using: 'node20', target: { ref: NEW_SHA, version: 'v5.0.0' } }],
    ]);
    expect(repair(text, facts).text).toBe(text.replace(`${OLD_SHA} # v4.1.1`, `${NEW_SHA} # v5.0.0`));
  });

  it('adds the version comment to a SHA pin that had none', () => {
    const text = lines('jobs:', '  a:', '    steps:', `      - uses: actions/cache@${OLD_SHA}`);
    const facts = new Map([
      [`actions/cache@${OLD_SHA}`, { using: 'node20', target: { ref: NEW_SHA, version: 'v5.0.1' } }],
    ]);
    expect(repair(text, facts).text).toBe(text.replace(OLD_SHA, `${NEW_SHA} # v5.0.1`));
  });

  it('reports a SHA pin it cannot resolve without rewriting it', () => {
    const text = lines('jobs:', '  a:', '    steps:', `      - uses: actions/upload-artifact@${OLD_SHA} # v3.1.2`);
    const repaired = repair(text);
    expect(repaired.text).toBe(text);
    expect(repaired.findings).toMatchObject([{ rowId: 'upload-artifact-below-v4', after: null }]);
  });

  it('finds a third-party action on Node 20 through the facts read from its action.yml', () => {
    const text = lines('jobs:', '  a:', '    steps:', '      - uses: someone/deploy-action@v2');
    const facts = new Map([['someone/deploy-action@v2', { using: 'node20', target: { ref: 'v3', version: 'v3' } }]]);
    expect(repair(text, facts).findings).toMatchObject([{ rowId: 'node-runtime', after: 'someone/deploy-action@v3' }]);
    expect(repair(text).findings).toEqual([]);
  });

  it('gives each matrix job its own artifact name when moving past v3', () => {
    const text = lines(
      'jobs:',
      '  test:',
      '    strategy:',
      '      matrix:',
      '        os: [ubuntu-latest, macos-latest]',
      '    runs-on: ${{ matrix.os }}',
      '    steps:',
      '      - uses: actions/upload-artifact@v3',
      '        with:',
      "          name: 'coverage'",
    );
    expect(repair(text).text).toContain("name: 'coverage-${{ matrix.os }}'");
  });

  it('changes an anchored value once and leaves its aliases alone', () => {
    const text = lines('jobs:', '  a:', '    runs-on: &runner ubuntu-20.04', '  b:', '    runs-on: *runner');
    expect(repair(text).text).toBe(text.replace('&runner ubuntu-20.04', '&runner ubuntu-24.04'));
  });
});

describe('repairing runner labels', () => {
  it('replaces retired labels in runs-on arrays and matrix values', () => {
    const text = lines(
      'jobs:',
      '  a:',
      '    runs-on: [ubuntu-20.04]',
      '    strategy:',
      '      matrix:',
      '        include:',
      '          - { os: windows-2019 }',
      '          - { os: macos-13 }',
    );
    expect(repair(text).text).toBe(
      text
        .replace('ubuntu-20.04', 'ubuntu-24.04')
        .replace('windows-2019', 'windows-2022')
        .replace('macos-13', 'macos-15-intel'),
    );
  });

  it('leaves self-hosted runners alone', () => {
    const text = lines('jobs:', '  a:', '    runs-on: [self-hosted, ubuntu-20.04]');
    expect(repair(text).findings).toEqual([]);
  });

  it('keeps CRLF line endings', () => {
    const text = 'jobs:\r\n  a:\r\n    runs-on: ubuntu-22.04 # until 2027\r\n';
    expect(repair(text).text).toBe('jobs:\r\n  a:\r\n    runs-on: ubuntu-24.04 # until 2027\r\n');
  });
});

describe('repairing workflow commands', () => {
  it('writes set-output, save-state, set-env and add-path to their environment files', () => {
    const text = lines(
      'jobs:',
      '  a:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - run: |',
      '          echo "::set-output name=version::$VERSION"',
      "          echo '::save-state name=pid::42'",
      '          echo ::set-env name=MODE::fast',
      '          echo "::add-path::$HOME/bin"',
    );
    expect(repair(text).text).toBe(
      lines(
        'jobs:',
        '  a:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - run: |',
        '          echo "version=$VERSION" >> "$GITHUB_OUTPUT"',
        '          echo \'pid=42\' >> "$GITHUB_STATE"',
        '          echo MODE=fast >> "$GITHUB_ENV"',
        '          echo "$HOME/bin" >> "$GITHUB_PATH"',
      ),
    );
  });

  it('reports but does not rewrite PowerShell steps', () => {
    const text = lines(
      'jobs:',
      '  a:',
      '    runs-on: windows-latest',
      '    steps:',
      '      - run: echo "::set-output name=a::b"',
    );
    const repaired = repair(text);
    expect(repaired.text).toBe(text);
    expect(repaired.findings).toMatchObject([{ rowId: 'command-set-output', after: null }]);
  });
});

describe('pull_request_target checking out the pull request head', () => {
  it('is reported with advice and never rewritten', () => {
    const text = lines(
      'on: pull_request_target',
      'jobs:',
      '  a:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - uses: actions/checkout@v5',
      '        with:',
      '          ref: ${{ github.event.pull_request.head.sha }}',
    );
    const repaired = repair(text);
    expect(repaired.text).toBe(text);
    expect(repaired.findings).toMatchObject([
      { rowId: 'checkout-pr-head', line: 8, after: null, note: expect.stringContaining('pull_request') },
    ]);
  });
});

describe('matchRetirementLog', () => {
  it('links the log line GitHub prints to its row', () => {
    const log = [
      'Run actions/upload-artifact@v3',
      'Error: This request has been automatically failed because it uses a deprecated version of `actions/upload-artifact: v3`. Learn more: …',
    ];
    expect(matchRetirementLog(log)).toMatchObject([{ row: { id: 'upload-artifact-below-v4' }, line: 2 }]);
  });

  it('has a notice URL, a severity and a log text in every row', () => {
    for (const row of RETIREMENTS) {
      expect(row.notice).toMatch(/^https:\/\//);
      expect(() => new RegExp(row.logText)).not.toThrow();
    }
  });
});
