import { describe, expect, it } from 'vitest';
import { measureWorkflowAudits } from '../../../bench/workflow-audit-accuracy.js';

describe("workflow audit over zizmor's own fixtures (fixtures/pr-checks/zizmor)", () => {
  const score = measureWorkflowAudits();

  it('flags at least 85% of the files zizmor flags, with the same audit', () => {
    expect(score.flaggedFiles).toBeGreaterThan(40);
    expect(score.flaggedHit / score.flaggedFiles).toBeGreaterThanOrEqual(0.85);
  });

  it('reports at least 80% of the lines zizmor flags', () => {
    expect(score.linesHit / score.lines).toBeGreaterThanOrEqual(0.8);
  });

  it('fails at most 5% of the files zizmor leaves clean', () => {
    expect(score.cleanFiles).toBeGreaterThan(20);
    expect(score.cleanErrors / score.cleanFiles).toBeLessThanOrEqual(0.05);
  });
});
