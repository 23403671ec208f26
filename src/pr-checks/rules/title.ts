import { Script } from 'node:vm';
import type { Finding } from '../types.js';

/** The pattern comes from a repository's config: a catastrophic one must not stall Keel for everyone. */
const MATCH_TIMEOUT_MS = 100;
const matchTitle = new Script('pattern.test(title)');

/** true or false, or undefined when the pattern did not finish within the time limit. */
function matches(title: string, titlePattern: string): boolean | undefined {
  try {
    return matchTitle.runInNewContext(
      { pattern: new RegExp(titlePattern), title },
      { timeout: MATCH_TIMEOUT_MS },
    ) as boolean;
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') return undefined;
    throw error;
  }
}

/** Fails when `titlePattern` is set and the title does not match it (validated by the config schema). */
export function checkTitle(title: string, titlePattern: string | undefined): Finding[] {
  if (titlePattern === undefined) return [];
  const matched = matches(title, titlePattern);
  if (matched === true) return [];
  if (matched === undefined) {
    return [
      {
        rule: 'title',
        severity: 'failure',
        file: null,
        line: null,
        title: 'The title pattern takes too long to run',
        explanation: `The pattern /${titlePattern}/ set by prChecks.titlePattern did not finish within ${MATCH_TIMEOUT_MS} ms on this title: it backtracks catastrophically (nested or overlapping repetition such as (a|a)* or (a+)+).`,
        fix: 'Simplify prChecks.titlePattern in .github/keel.yml: avoid repetition inside repetition.',
        evidence: titlePattern,
      },
    ];
  }
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
