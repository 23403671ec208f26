import type { Finding } from '../types.js';

/** Fails when `titlePattern` is set and the title does not match it (validated by the config schema). */
export function checkTitle(title: string, titlePattern: string | undefined): Finding[] {
  if (titlePattern === undefined || new RegExp(titlePattern).test(title)) return [];
  return [
    {
      rule: 'title',
      severity: 'failure',
      file: null,
      line: null,
      title: 'Title does not match the required pattern',
      explanation: `The title "${title}" does not match the pattern /${titlePattern}/ set by prChecks.titlePattern.`,
      fix: `Edit the pull request title so it matches /${titlePattern}/; Keel checks it again as soon as the title changes.`,
      evidence: titlePattern,
    },
  ];
}
