import { describe, expect, it } from 'vitest';
import { renderReply } from '../../src/commands/render.js';

describe('renderReply', () => {
  it('is the marker and the section alone for one command', () => {
    expect(renderReply(7, [{ line: '/keel help', body: 'The commands.' }])).toBe(
      '<!-- keel:command-reply:7 -->\nThe commands.',
    );
  });

  it('heads each section with its command line when there are several', () => {
    expect(
      renderReply(7, [
        { line: '/keel status', body: 'Connected.' },
        { line: '/keel  `odd`', body: 'Usage.' },
      ]),
    ).toBe('<!-- keel:command-reply:7 -->\n**`/keel status`**\n\nConnected.\n\n---\n\n**`` /keel `odd` ``**\n\nUsage.');
  });

  it('stays within the size GitHub accepts, saying which section did not fit', () => {
    const long = 'x'.repeat(40_000);
    const reply = renderReply(7, [
      { line: '/keel diagnose 1', body: long },
      { line: '/keel diagnose 2', body: long },
    ]);
    expect(reply.length).toBeLessThan(65_536);
    expect(reply).toContain(
      '**`/keel diagnose 2`**\n\n_Too long to show with the other commands: run this one on its own._',
    );
  });
});
