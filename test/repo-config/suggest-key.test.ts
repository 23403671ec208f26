import { describe, expect, it } from 'vitest';
import { KeelConfigSchema } from '../../src/repo-config/schema.js';
import { knownKeysAt, suggestKey } from '../../src/repo-config/suggest-key.js';

describe('suggestions for unknown keys', () => {
  it('name the closest known key, or list the known keys when none is close', () => {
    expect(suggestKey('ignorepath', knownKeysAt(KeelConfigSchema, ['prChecks']))).toBe('ignorePaths');
    expect(suggestKey('max_changed_lines', knownKeysAt(KeelConfigSchema, ['prChecks']))).toBe('maxChangedLines');
    expect(suggestKey('deploy', knownKeysAt(KeelConfigSchema, ['prChecks']))).toBeUndefined();
    expect(knownKeysAt(KeelConfigSchema, ['prChecks', 'rules'])).toContain('conflictMarkers');
  });
});
