import { describe, expect, it } from 'vitest';
import { measureWorkflowAudits } from '../../../bench/workflow-audit-accuracy.js';

describe("workflow audit over zizmor's own fixtures (fixtures/pr-checks/zizmor)", () => {
  const score = measureWorkflowAudits();

  // Floors a little under the figures measured (49/51 files, 122/134 lines): a slide fails here.
  it('flags at least 94% of the files zizmor flags, with the same audit', () => {
    expect(score.flaggedFiles).toBeGreaterThanOrEqual(51);
    expect(score.flaggedHit / score.flaggedFiles).toBeGreaterThanOrEqual(0.94);
  });

  it('reports at least 90% of the lines zizmor flags', () => {
    expect(score.linesHit / score.lines).toBeGreaterThanOrEqual(0.9);
  });

  it('fails at most 5% of the files zizmor leaves clean', () => {
    expect(score.cleanFiles).toBeGreaterThanOrEqual(31);
    expect(score.cleanErrors / score.cleanFiles).toBeLessThanOrEqual(0.05);
  });
});
