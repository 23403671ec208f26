import { describe, expect, it } from 'vitest';
import { parsePrChecksConfig, PrChecksConfigSchema } from '../../src/pr-checks/config.js';
import { ConfigError } from '../../src/errors.js';

describe('PrChecksConfigSchema', () => {
  it('applies defaults to an empty section: every rule on, 1000 lines, nothing ignored', () => {
    expect(PrChecksConfigSchema.parse({})).toEqual({
      rules: { secrets: true, conflictMarkers: true, workflowRisks: true, size: true, title: true },
      maxChangedLines: 1000,
      ignorePaths: [],
    });
  });

  it('keeps the defaults of rules not mentioned when one rule is switched off', () => {
    const config = PrChecksConfigSchema.parse({ rules: { size: false } });
    expect(config.rules).toEqual({
      secrets: true,
      conflictMarkers: true,
      workflowRisks: true,
      size: false,
      title: true,
    });
  });

  it('rejects unknown keys at the top level', () => {
    expect(PrChecksConfigSchema.safeParse({ maxChangedLine: 10 }).success).toBe(false);
  });

  it('rejects unknown rule names', () => {
    expect(PrChecksConfigSchema.safeParse({ rules: { secret: true } }).success).toBe(false);
  });

  it('rejects an invalid titlePattern regex', () => {
    expect(PrChecksConfigSchema.safeParse({ titlePattern: '^(feat|fix' }).success).toBe(false);
  });

  it('rejects a non-positive maxChangedLines', () => {
    expect(PrChecksConfigSchema.safeParse({ maxChangedLines: 0 }).success).toBe(false);
  });
});

describe('parsePrChecksConfig', () => {
  it('treats an absent section as all defaults', () => {
    expect(parsePrChecksConfig(undefined).maxChangedLines).toBe(1000);
  });

  it('throws a ConfigError naming the bad key', () => {
    expect(() => parsePrChecksConfig({ titlePattern: '(' })).toThrow(ConfigError);
    expect(() => parsePrChecksConfig({ titlePattern: '(' })).toThrow(/prChecks\.titlePattern/);
  });
});
