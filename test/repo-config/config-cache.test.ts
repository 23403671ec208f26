import { describe, expect, it } from 'vitest';
import { createConfigCache } from '../../src/repo-config/config-cache.js';

const file = (etag: string) => ({ etag, text: `# ${etag}` });

describe('createConfigCache', () => {
  it('finds an entry whatever the case of owner and repository', () => {
    const cache = createConfigCache();
    cache.set('Acme', 'App', '.github/keel.yml', file('"1"'));
    expect(cache.get('acme', 'app', '.github/keel.yml')?.etag).toBe('"1"');
  });

  it('forgets the least recently used entry when full', () => {
    const cache = createConfigCache({ maxEntries: 2 });
    cache.set('acme', 'a', 'p', file('"a"'));
    cache.set('acme', 'b', 'p', file('"b"'));
    cache.get('acme', 'a', 'p');
    cache.set('acme', 'c', 'p', file('"c"'));
    expect(['a', 'b', 'c'].map((repo) => cache.get('acme', repo, 'p')?.etag ?? null)).toEqual(['"a"', null, '"c"']);
  });

  it('remembers, per installation and for a while, a repository the installation cannot see', () => {
    let clock = 0;
    const cache = createConfigCache({ inaccessibleForMs: 1_000, now: () => clock });
    cache.markInaccessible(42, 'Acme', '.github');
    const seen = () => [cache.isInaccessible(42, 'acme', '.GitHub'), cache.isInaccessible(43, 'acme', '.github')];
    const before = seen();
    clock = 1_000;
    expect({ before, after: seen() }).toEqual({ before: [true, false], after: [false, false] });
  });
});
