/**
 * The receiver records a comment without running the commands handler when `mayHoldCommands`
 * says no. That is only right if it never says no to a comment the handler would answer: checked
 * here over thousands of comments built from the lines that make parsing hard.
 */
import { describe, expect, it } from 'vitest';
import { isBot, mayHoldCommands, type CommandComment } from '../../src/commands/handler.js';
import { parseCommands } from '../../src/commands/parse.js';

const LINES = [
  '/keel help',
  '/KEEL   Status',
  '/keel',
  '   /keel check',
  '    /keel indented code',
  '\t/keel rerun',
  '/keelhelp',
  '@keel-app check',
  '@Keel-App[bot] status',
  '  @keel-app   diagnose 12',
  '@keel-app',
  '@someone-else please look',
  '@keel-app-two help',
  '> /keel quoted',
  '```',
  '~~~',
  '<!-- /keel hidden',
  '-->',
  '<!-- keel:command-reply:1 -->',
  'Thanks, looks good!',
  '`/keel help` inline',
  '@keel-app\u00a0help',
  '   \t@keel-app help',
  '\u00a0@keel-app help',
  'hi\r@keel-app help',
  '',
];
const SLUG = 'keel-app';

/** A small deterministic generator (mulberry32), so a failure names a reproducible comment. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let value = Math.imul(state ^ (state >>> 15), 1 | state);
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

function comment(body: string, author: CommandComment['author']): CommandComment {
  return { author, body } as CommandComment;
}

describe('mayHoldCommands, the receiver’s test of a comment', () => {
  it('never declines a comment the handler answers, whatever the slug', () => {
    const next = random(20261201);
    const authors = [
      { login: 'octocat', type: 'User' },
      { login: 'renovate[bot]', type: 'Bot' },
    ];
    let answered = 0;
    let declined = 0;
    for (let index = 0; index < 5_000; index++) {
      const count = 1 + Math.floor(next() * 5);
      const lines = Array.from({ length: count }, () => LINES[Math.floor(next() * LINES.length)] as string);
      const breaks = next();
      const body = lines.join(breaks < 0.2 ? '\r\n' : breaks < 0.3 ? '\r' : '\n');
      const author = authors[next() < 0.9 ? 0 : 1] as CommandComment['author'];
      const wouldAnswer =
        !isBot(author) && !body.includes('<!-- keel:command-reply:') && parseCommands(body, SLUG).length > 0;
      const accepted = mayHoldCommands(comment(body, author));
      if (wouldAnswer) {
        answered++;
        expect(accepted, JSON.stringify(body)).toBe(true);
      } else if (!accepted) declined++;
    }
    // The generator reaches both sides: many answered comments, and many recorded without a run.
    expect(answered).toBeGreaterThan(1_000);
    expect(declined).toBeGreaterThan(1_000);
  });

  it('reads the longest comment GitHub allows in linear time, whatever its blank lines', () => {
    // Not a speed measurement: a pattern that backtracks across line breaks took 2.8-4.8 s on
    // these bodies, long enough for GitHub to give up on every delivery behind them.
    const user = { login: 'octocat', type: 'User' };
    for (const body of ['\n'.repeat(65_536), '\r\n'.repeat(32_768), ` ${'\t \u00a0'.repeat(21_845)}`]) {
      const startedAt = performance.now();
      expect(mayHoldCommands(comment(body, user))).toBe(false);
      expect(performance.now() - startedAt).toBeLessThan(500);
    }
  });

  it('declines prose, bots, empty bodies and Keel’s own replies', () => {
    const user = { login: 'octocat', type: 'User' };
    expect(mayHoldCommands(comment('Thanks, looks good!', user))).toBe(false);
    expect(mayHoldCommands(comment('', user))).toBe(false);
    expect(mayHoldCommands(comment('/keel help', { login: 'keel[bot]', type: 'Bot' }))).toBe(false);
    expect(mayHoldCommands(comment('<!-- keel:command-reply:1 -->\n/keel help', user))).toBe(false);
    expect(mayHoldCommands(comment('/keel help', user))).toBe(true);
    expect(mayHoldCommands(comment('@keel-app help', user))).toBe(true);
  });
});
