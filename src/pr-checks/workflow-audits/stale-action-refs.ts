import { FULL_SHA, findLongestTag, listRemoteUses } from './action-facts.js';
import type { Audit, AuditFinding } from './context.js';

/**
 * zizmor's stale-action-refs: a step pinned to a commit no tag points to (a commit off a branch,
 * never released). zizmor rates it low and shows it only to its pedantic persona, so it is off
 * unless `.github/keel.yml` switches it on (`stale-action-refs: warning`).
 */
export const staleActionRefs: Audit = ({ workflow, actionFacts }) => {
  if (!actionFacts) return [];
  return listRemoteUses(workflow).flatMap((uses): AuditFinding[] => {
    const refs = actionFacts.refs.get(uses.repository);
    // With a truncated tag list, an absent tag proves nothing.
    if (uses.job || !refs?.ok || refs.value.truncated || !FULL_SHA.test(uses.ref)) return [];
    if (findLongestTag(refs.value, uses.ref) !== undefined) return [];
    return [
      {
        audit: 'stale-action-refs',
        lines: [uses.field.line],
        title: 'Commit pin that no release points to',
        explanation: `No tag of ${uses.repository} points to ${uses.ref}: it is an unreleased commit (or one a release moved away from), so it may lack fixes and is hard to review or update.`,
        fix: `Pin the commit of a release tag of ${uses.repository} and keep the tag as a comment (\`# v1.2.3\`).`,
        evidence: `uses: ${uses.field.value}`,
      },
    ];
  });
};
