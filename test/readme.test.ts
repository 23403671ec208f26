/** The README's configuration reference stays true: its example is the file Keel itself writes. */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { CONFIG_TEMPLATE } from '../src/repair/onboarding.js';
import { KeelConfigSchema } from '../src/repo-config/schema.js';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('the README', () => {
  it('shows, as the example .github/keel.yml, the file the onboarding pull request adds', () => {
    // Prettier realigns comments in the README's copy: compare with runs of spaces folded.
    const fold = (text: string) => text.replace(/ +/g, ' ');
    expect(fold(README)).toContain(fold(`\`\`\`yaml\n${CONFIG_TEMPLATE}\`\`\``));
  });

  it('lists every key of .github/keel.yml in its reference table', () => {
    const defaults = KeelConfigSchema.parse({});
    const keys = [
      ...Object.keys(defaults.prChecks.rules).map((key) => `prChecks.rules.${key}`),
      ...['maxChangedLines', 'titlePattern', 'ignorePaths', 'workflowAudits'].map((key) => `prChecks.${key}`),
      ...Object.keys(defaults.ci).map((key) => `ci.${key}`),
      'repair',
      'commands',
      'onboarding',
    ];
    for (const key of keys) expect(README).toMatch(new RegExp(`\\| \`${key}\` +\\|`));
  });

  it('gives an example that parses to the defaults', () => {
    expect(KeelConfigSchema.parse(parse(CONFIG_TEMPLATE))).toEqual(KeelConfigSchema.parse({}));
  });
});
