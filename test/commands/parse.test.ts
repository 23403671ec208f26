import { describe, expect, it } from 'vitest';
import { validateCommand } from '../../src/commands/catalog.js';
import { MAX_COMMANDS, parseCommands, splitArguments } from '../../src/commands/parse.js';

const words = (body: string, slug?: string) => parseCommands(body, slug).map((line) => [line.word, ...line.args]);

describe('parseCommands', () => {
  it('finds a command on a line of its own', () => {
    expect(words('/keel help')).toEqual([['help']]);
  });

  it('ignores case and extra whitespace, and keeps the line as written', () => {
    const [line] = parseCommands('Thanks!\n   /KEEL    Status   \n');
    expect(line).toEqual({ word: 'status', args: [], text: '/KEEL    Status' });
  });

  it('runs several command lines in order', () => {
    expect(words('/keel check\nsome prose\n/keel diagnose 123\n/keel help')).toEqual([
      ['check'],
      ['diagnose', '123'],
      ['help'],
    ]);
  });

  it('finds nothing in a comment without a command', () => {
    expect(parseCommands("You are totally right! I'll get this fixed right away.")).toEqual([]);
    expect(parseCommands(null)).toEqual([]);
  });

  it('needs /keel at the start of a line, as a whole word', () => {
    expect(parseCommands('please run /keel help')).toEqual([]);
    expect(parseCommands('/keeling help')).toEqual([]);
    expect(parseCommands('- /keel help')).toEqual([]);
  });

  it('ignores commands in fenced code blocks, closed or not', () => {
    expect(parseCommands('```\n/keel rerun\n```\n~~~sh\n/keel check\n~~~')).toEqual([]);
    expect(words('````md\n```\n/keel rerun\n````\n/keel help')).toEqual([['help']]);
    expect(parseCommands('```\n/keel rerun')).toEqual([]);
  });

  it('ignores inline code, indented code, quotes and HTML comments', () => {
    expect(parseCommands('`/keel rerun` re-runs the jobs')).toEqual([]);
    expect(parseCommands('    /keel rerun')).toEqual([]);
    expect(parseCommands('\t/keel rerun')).toEqual([]);
    expect(parseCommands('> /keel rerun\n>> /keel check')).toEqual([]);
    expect(parseCommands('<!--\n/keel rerun\n-->\n<!-- /keel check -->')).toEqual([]);
  });

  it('reads a bare /keel as a word of its own (help)', () => {
    expect(words('/keel')).toEqual([['']]);
  });

  it('groups quoted arguments', () => {
    expect(words('/keel ignore secrets "test fixture, not a real key"')).toEqual([
      ['ignore', 'secrets', 'test fixture, not a real key'],
    ]);
    expect(splitArguments(`a 'b c' “d e” "" f`)).toEqual(['a', 'b c', 'd e', '', 'f']);
  });

  it('reads @<app-slug> followed by a command, with or without [bot]', () => {
    expect(words('@keel-app rerun', 'keel-app')).toEqual([['rerun']]);
    expect(words('@Keel-App[bot] check', 'keel-app')).toEqual([['check']]);
  });

  it('does not read a mention without a command, or a mention of another app', () => {
    expect(parseCommands('@keel-app thanks for the help', 'keel-app')).toEqual([]);
    expect(parseCommands('@keel-apps rerun', 'keel-app')).toEqual([]);
    expect(parseCommands('@keel-app rerun')).toEqual([]);
  });

  it(`runs at most ${MAX_COMMANDS} commands from one comment`, () => {
    expect(parseCommands('/keel help\n'.repeat(MAX_COMMANDS + 5))).toHaveLength(MAX_COMMANDS);
  });
});

describe('validateCommand', () => {
  const context = { repository: 'Codertocat/Hello-World', githubWebUrl: 'https://github.com' };
  const validate = (body: string) => {
    const [line] = parseCommands(body);
    if (!line) throw new Error('no command');
    return validateCommand(line, context);
  };

  it('takes a run id or this repository run URL for diagnose', () => {
    expect(validate('/keel diagnose 30433642')).toMatchObject({ ok: true, command: { runId: 30433642 } });
    expect(
      validate('/keel diagnose https://github.com/Codertocat/Hello-World/actions/runs/30433642/job/1'),
    ).toMatchObject({ ok: true, command: { name: 'diagnose', runId: 30433642 } });
    expect(validate('/keel diagnose')).toMatchObject({ ok: true, command: { runId: null } });
  });

  it("refuses another repository's run and words that are not runs", () => {
    expect(validate('/keel diagnose https://github.com/acme/other/actions/runs/1')).toMatchObject({
      ok: false,
      problem: 'That run belongs to acme/other, not Codertocat/Hello-World.',
    });
    expect(validate('/keel diagnose latest')).toMatchObject({ ok: false, usage: '/keel diagnose [run-url|run-id]' });
  });

  it('needs a known rule for ignore, and keeps the reason', () => {
    expect(validate('/keel ignore secrets fake key in a test')).toMatchObject({
      ok: true,
      command: { name: 'ignore', rule: 'secrets', reason: 'fake key in a test' },
    });
    expect(validate('/keel ignore')).toMatchObject({ ok: false });
    expect(validate('/keel ignore everything')).toMatchObject({
      ok: false,
      problem: expect.stringContaining('secrets'),
    });
  });

  it('refuses unknown commands and extra arguments with the usage', () => {
    expect(validate('/keel deploy')).toMatchObject({
      ok: false,
      problem: 'Keel has no command "deploy".',
      usage: expect.stringContaining('/keel help'),
    });
    expect(validate('/keel rerun now')).toMatchObject({ ok: false, usage: '/keel rerun' });
  });
});
